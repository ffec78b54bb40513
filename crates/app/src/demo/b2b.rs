//! The demo's wholesale side: a certified boutique with a wholesale price list (tiers and a
//! minimum on the storefront brand's pieces), an invitation waiting for its buyer, a welcome
//! code for consumers, and VAT rates.

use chrono::Utc;
use uuid::Uuid;
use vitrine_domain::company::{
    Address, Company, CompanyInvitation, CompanyLocation, CompanyRole, CompanyStatus, PaymentTerms,
};
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::pricing::{
    Discount, DiscountTarget, DiscountValue, Percent, PriceBreak, PriceList, PriceListEntry,
    QuantityRule,
};
use vitrine_store::{Store, StoreError, TaxRateRecord};

/// The demo boutique invites this email as its admin...
pub const DEMO_BUYER_EMAIL: &str = "buyer@boutique.example";
/// ...with this token (`companyInvitationAccept`). Real tokens are random and shown once.
pub const DEMO_INVITATION_TOKEN: &str = "boutique-lune-demo-invitation";
/// A code consumers can try: 10% off orders from 100 EUR, once per customer.
pub const DEMO_CODE: &str = "WELCOME10";

/// Ids are fixed so that the demo is the same on every machine.
fn id(n: u128) -> Uuid {
    Uuid::from_u128(0x0190_0000_0000_7000_8000_0000_0000_0000 | n)
}

/// A tax rate in the demo: country, region, name, percent.
const TAX_RATES: [(&str, &str, &str, i64); 5] = [
    ("FR", "", "TVA", 200_000),
    ("IT", "", "IVA", 220_000),
    ("DE", "", "MwSt", 190_000),
    ("GB", "", "VAT", 200_000),
    ("US", "NY", "Sales tax NY", 88_750),
];

/// Writes the wholesale demo. `brand_variants` are the storefront brand's variants with
/// their EUR base price.
pub(super) async fn save_b2b_demo(
    store: &Store,
    eur: Currency,
    channel_ids: &[Uuid],
    brand_variants: &[(Uuid, Money)],
) -> Result<(), StoreError> {
    let now = Utc::now();
    for (n, (country, region, name, ppm)) in TAX_RATES.iter().enumerate() {
        store
            .save_tax_rate(&TaxRateRecord {
                id: id(0x100 + n as u128),
                country_code: (*country).to_owned(),
                region: (*region).to_owned(),
                name: (*name).to_owned(),
                rate: Percent(*ppm),
                created_at: now,
            })
            .await?;
    }

    let company = Company {
        id: id(0x200),
        name: "Boutique Lune Paris (demo)".to_owned(),
        tax_id: Some("FR40123456789".to_owned()),
        status: CompanyStatus::Approved,
        rejection_reason: None,
        payment_terms: PaymentTerms::Net30,
        credit_limit: Some(Money::new(2_000_000, eur)),
        created_at: now,
        updated_at: now,
        reviewed_at: Some(now),
    };
    let location = CompanyLocation {
        id: id(0x201),
        company_id: company.id,
        name: "Rue du Faubourg".to_owned(),
        tax_id: None,
        shipping_address: Address {
            company: Some(company.name.clone()),
            address1: "12 rue du Faubourg Saint-Honoré".to_owned(),
            city: "Paris".to_owned(),
            zip: Some("75008".to_owned()),
            country_code: "FR".to_owned(),
            ..Address::default()
        },
        billing_address: None,
        created_at: now,
    };
    store.insert_company(&company, "system:demo", Some(&location), None).await?;
    store
        .save_company_invitation(
            &CompanyInvitation {
                company_id: company.id,
                email: DEMO_BUYER_EMAIL.to_owned(),
                role: CompanyRole::Admin,
                default_location_id: Some(location.id),
                created_at: now,
            },
            &crate::identity::token_hash(DEMO_INVITATION_TOKEN),
        )
        .await?;

    // Wholesale is 40% off retail; the brand's own pieces come in sets of 2 with tiers.
    let list = PriceList {
        id: id(0x300),
        name: "Wholesale EUR (demo)".to_owned(),
        currency: eur,
        channel_ids: vec![],
        customer_group_ids: vec![],
        company_ids: vec![company.id],
        starts_at: None,
        ends_at: None,
        adjustment: Some(Percent(-400_000)),
    };
    store.save_price_list(&list).await?;
    let share = |m: Money, percent: i64| Money::new(m.minor * percent / 100 / 100 * 100, eur);
    let entries: Vec<PriceListEntry> = brand_variants
        .iter()
        .map(|(variant_id, retail)| PriceListEntry {
            price_list_id: list.id,
            variant_id: *variant_id,
            price: Some(share(*retail, 55)),
            compare_at: Some(*retail),
            rule: QuantityRule { minimum: 2, increment: 2, maximum: None },
            breaks: vec![
                PriceBreak { minimum_quantity: 12, price: share(*retail, 50) },
                PriceBreak { minimum_quantity: 48, price: share(*retail, 45) },
            ],
        })
        .collect();
    store.set_price_list_prices(list.id, &entries, &[], None).await?;

    store
        .save_discount(&Discount {
            id: id(0x400),
            title: "Welcome: 10% off your first order".to_owned(),
            code: Some(DEMO_CODE.to_owned()),
            value: DiscountValue::Percentage(Percent(100_000)),
            target: DiscountTarget::Order,
            minimum_subtotal: Some(Money::new(10_000, eur)),
            starts_at: None,
            ends_at: None,
            usage_limit: None,
            usage_limit_per_customer: Some(1),
            combinable: true,
            channel_ids: channel_ids.to_vec(),
            active: true,
        })
        .await?;
    Ok(())
}
