//! Languages, countries and which ones a request ends up using.

use crate::money::Currency;

/// Picks the language a request is served in: the requested one when the channel offers it,
/// otherwise the channel's default. Translated fields then fall back to the default text.
pub fn resolve_language<'a>(
    requested: Option<&'a str>,
    offered: &'a [String],
    default: &'a str,
) -> &'a str {
    match requested {
        Some(lang) if offered.iter().any(|l| l == lang) => lang,
        _ => default,
    }
}

/// The currency a shopper in `country` pays in on a channel: the country's own currency when
/// the channel sells in it, the channel's default otherwise.
pub fn resolve_currency(
    country: Option<&str>,
    offered: &[Currency],
    default: Currency,
) -> Currency {
    country.and_then(currency_of_country).filter(|c| offered.contains(c)).unwrap_or(default)
}

/// The legal tender of a country, for the countries Vitrine's channels commonly sell to.
pub fn currency_of_country(country: &str) -> Option<Currency> {
    let code = match country {
        "AT" | "BE" | "CY" | "DE" | "EE" | "ES" | "FI" | "FR" | "GR" | "HR" | "IE" | "IT"
        | "LT" | "LU" | "LV" | "MC" | "MT" | "NL" | "PT" | "SI" | "SK" | "SM" | "VA" | "AD" => {
            "EUR"
        }
        "GB" => "GBP",
        "US" => "USD",
        "CH" | "LI" => "CHF",
        "JP" => "JPY",
        "CA" => "CAD",
        "AU" => "AUD",
        "SE" => "SEK",
        "DK" => "DKK",
        "NO" => "NOK",
        "PL" => "PLN",
        "CZ" => "CZK",
        "CN" => "CNY",
        "HK" => "HKD",
        "SG" => "SGD",
        "AE" => "AED",
        "KR" => "KRW",
        _ => return None,
    };
    Currency::new(code).ok()
}

/// Whether `code` looks like a language tag we store: `en`, `fr`, `pt-br`.
pub fn is_language_tag(code: &str) -> bool {
    let mut parts = code.split('-');
    let primary_ok = parts
        .next()
        .is_some_and(|p| (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase()));
    primary_ok
        && parts.all(|p| (2..=4).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cur(code: &str) -> Currency {
        Currency::new(code).expect("valid")
    }

    #[test]
    fn requested_language_is_used_only_when_offered() {
        let offered = vec!["en".to_owned(), "fr".to_owned()];
        assert_eq!(resolve_language(Some("fr"), &offered, "en"), "fr");
        assert_eq!(resolve_language(Some("it"), &offered, "en"), "en");
        assert_eq!(resolve_language(None, &offered, "en"), "en");
    }

    #[test]
    fn country_selects_its_currency_when_the_channel_sells_in_it() {
        let offered = [cur("EUR"), cur("GBP")];
        assert_eq!(resolve_currency(Some("GB"), &offered, cur("EUR")), cur("GBP"));
        assert_eq!(resolve_currency(Some("US"), &offered, cur("EUR")), cur("EUR"));
        assert_eq!(resolve_currency(None, &offered, cur("EUR")), cur("EUR"));
    }

    #[test]
    fn language_tags_are_lower_case_iso_codes() {
        assert!(is_language_tag("en"));
        assert!(is_language_tag("pt-br"));
        assert!(!is_language_tag("EN"));
        assert!(!is_language_tag("english"));
        assert!(!is_language_tag(""));
    }
}
