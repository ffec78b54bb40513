//! ISO code enums as storefront clients know them (`CurrencyCode`, `CountryCode`,
//! `LanguageCode`), converted to and from the lower-level codes the domain stores.

use async_graphql::Enum;

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident),+ $(,)? }) => {
        $(#[$meta])*
        // ISO codes are upper case by definition; the enum values must be spelled exactly so.
        #[allow(clippy::upper_case_acronyms, non_camel_case_types)]
        #[derive(Enum, Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code as written in the schema, e.g. `PT_BR`.
            pub fn name(self) -> &'static str {
                match self { $($name::$variant => stringify!($variant)),+ }
            }

            pub fn from_name(text: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|c| c.name() == text)
            }
        }
    };
}

code_enum!(
    /// ISO 4217 currency codes.
    CurrencyCode {
        AED, AUD, BGN, BRL, CAD, CHF, CNY, CZK, DKK, EUR, GBP, HKD, HUF, ILS, INR, ISK, JPY, KRW,
        MXN, NOK, NZD, PLN, RON, SAR, SEK, SGD, THB, TRY, TWD, USD, ZAR
    }
);

code_enum!(
    /// ISO 3166-1 alpha-2 country codes of the markets Vitrine's channels sell to.
    CountryCode {
        AD, AE, AT, AU, BE, BG, BR, CA, CH, CN, CY, CZ, DE, DK, EE, ES, FI, FR, GB, GR, HK, HR,
        HU, IE, IL, IN, IS, IT, JP, KR, LI, LT, LU, LV, MC, MT, MX, NL, NO, NZ, PL, PT, RO, SA,
        SE, SG, SI, SK, SM, TH, TR, TW, US, VA, ZA
    }
);

code_enum!(
    /// ISO 639-1 language codes, with regional variants where storefronts need them.
    LanguageCode {
        AR, BG, CS, DA, DE, EL, EN, ES, ET, FI, FR, HE, HR, HU, IS, IT, JA, KO, LT, LV, NB, NL,
        PL, PT, PT_BR, PT_PT, RO, RU, SK, SL, SV, TH, TR, UK, ZH, ZH_CN, ZH_TW
    }
);

impl LanguageCode {
    /// The tag the domain stores: `PT_BR` is `pt-br`.
    pub fn tag(self) -> String {
        self.name().to_lowercase().replace('_', "-")
    }

    pub fn from_tag(tag: &str) -> Option<Self> {
        Self::from_name(&tag.to_uppercase().replace('-', "_"))
    }
}

impl CurrencyCode {
    pub fn from_currency(c: vitrine_domain::money::Currency) -> Option<Self> {
        Self::from_name(c.as_str())
    }
}
