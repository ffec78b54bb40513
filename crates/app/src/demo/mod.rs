//! A deterministic demo catalog: fashion houses selling on their own storefront and on a
//! marketplace, and a bulk product generator for benchmarks.
//!
//! Everything derives from the tables below and a seeded PRNG keyed by the product's index, so
//! the same command always writes the same catalog, ids and timestamps included.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use uuid::Uuid;
use vitrine_domain::catalog::{
    option_value_key, size_chart_header_key, slugify, spec_name_key, spec_value_key, variant_title,
    Brand, Channel, Collection, Image, Product, ProductOption, ProductStatus, SelectedOption, Seo,
    SizeChart, Spec, Variant, VariantPrice,
};
use vitrine_domain::inventory::{Address, Location, LocationKind, StockMovement};
use vitrine_domain::money::{Currency, Money};
use vitrine_domain::payment::PaymentMethod;
use vitrine_store::{ProductDraft, StockWrite, StockWriteOutcome, Store, StoreError, VariantDraft};

mod b2b;
mod delivery;

pub use b2b::{DEMO_BUYER_EMAIL, DEMO_CODE, DEMO_INVITATION_TOKEN};

/// What [`load_demo`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DemoSummary {
    pub channels: usize,
    pub brands: usize,
    pub collections: usize,
    pub products: usize,
    pub variants: usize,
}

/// Loads the demo catalog into an empty database.
pub async fn load_demo(store: &Store) -> Result<DemoSummary, StoreError> {
    let setup = save_setup(store).await?;
    let variants = insert_generated(store, &setup.frame, 0, DEMO_PRODUCTS, &mut |_, _| {}).await?;
    let eur = setup.frame.currencies.eur;
    let own_brand = setup.brands.iter().find(|b| b.handle == STOREFRONT_BRAND).map(|b| b.id);
    let mut brand_variants = Vec::new();
    for index in 0..DEMO_PRODUCTS {
        let draft = generate_product(&setup.frame, index as u64)?.draft;
        if draft.product.brand_id.is_none() || draft.product.brand_id != own_brand {
            continue;
        }
        for v in &draft.variants {
            if let Some(p) = v.prices.iter().find(|p| p.price.currency == eur) {
                brand_variants.push((v.variant.id, p.price));
            }
        }
    }
    let channel_ids: Vec<Uuid> = setup.channels.iter().map(|c| c.id).collect();
    b2b::save_b2b_demo(store, eur, &channel_ids, &brand_variants).await?;
    delivery::save_delivery_demo(store).await?;
    Ok(DemoSummary {
        channels: setup.channels.len(),
        brands: setup.brands.len(),
        collections: setup.collections.len(),
        products: DEMO_PRODUCTS,
        variants,
    })
}

/// Generates `count` more products (deterministic for a given count and existing product count)
/// for benchmarks, calling `progress(done, total)` after each batch.
///
/// Products are numbered after the existing ones so handles and SKUs stay unique. They go into
/// the existing brands and collections; a database without brands first gets the demo brands,
/// channels and collections (but not the demo products).
pub async fn seed_products(
    store: &Store,
    count: usize,
    mut progress: impl FnMut(usize, usize),
) -> Result<(), StoreError> {
    let brands = store.brands().await?;
    let frame = if brands.is_empty() {
        save_setup(store).await?.frame
    } else {
        Frame::from_existing(Currencies::new()?, &brands, &store.collections().await?)
    };
    if store.locations().await?.is_empty() {
        for location in demo_locations()? {
            store.save_location(&location).await?;
        }
    }
    let start = usize::try_from(store.product_count().await?)
        .map_err(|_| StoreError::Corrupt("product count out of range".to_owned()))?;
    insert_generated(store, &frame, start, count, &mut progress).await?;
    Ok(())
}

const DEMO_PRODUCTS: usize = 320;
/// Products per `insert_products` call: large enough to amortise the transaction, small enough
/// to keep memory flat while seeding hundreds of thousands.
const BATCH: usize = 500;
/// 2026-01-01T00:00:00Z: every demo timestamp is this plus a whole number of minutes.
const BASE_EPOCH_SECS: i64 = 1_767_225_600;
const SEED: u64 = 0x5649_5452_494e_4521;
const SALE_HANDLE: &str = "sale";
/// Languages translations are written in, besides the default English.
const LANGUAGES: [&str; 2] = ["fr", "it"];

type TranslationRow = (Uuid, String, String, String);

async fn insert_generated(
    store: &Store,
    frame: &Frame,
    start: usize,
    count: usize,
    progress: &mut impl FnMut(usize, usize),
) -> Result<usize, StoreError> {
    let mut done = 0;
    let mut variants = 0;
    let mut locations = store.locations().await?;
    locations.sort_by_key(|l| (l.kind != LocationKind::Warehouse, l.priority, l.id));
    while done < count {
        let size = BATCH.min(count - done);
        let mut drafts = Vec::with_capacity(size);
        let mut translations = Vec::new();
        let mut stock = Vec::new();
        for index in start + done..start + done + size {
            let mut generated = generate_product(frame, index as u64)?;
            variants += generated.draft.variants.len();
            for v in &mut generated.draft.variants {
                // Stock arrives through the ledger below; the variant starts with none.
                stock.push((v.variant.id, i64::from(v.variant.inventory_quantity)));
                v.variant.inventory_quantity = 0;
            }
            drafts.push(generated.draft);
            translations.extend(generated.translations);
        }
        store.insert_products(drafts).await?;
        store.insert_translations(translations).await?;
        write_opening_stock(store, &locations, &stock).await?;
        done += size;
        progress(done, count);
    }
    Ok(variants)
}

// ---- ids, time, randomness ----------------------------------------------------------------

#[derive(Clone, Copy)]
enum Kind {
    Channel = 1,
    Brand,
    Collection,
    Product,
    Option,
    Variant,
    Image,
    Location,
    DeliveryMethod,
}

/// A UUID laid out like a v7 (48-bit milliseconds, version, variant) but with the kind and a
/// counter instead of random bits: ids of one kind sort by time, then by counter, which is the
/// creation order, as listings expect.
fn demo_id(kind: Kind, at: DateTime<Utc>, counter: u64) -> Uuid {
    let millis = u64::try_from(at.timestamp_millis()).unwrap_or(0) & 0xffff_ffff_ffff;
    let high = (millis << 16) | 0x7000 | (kind as u64 & 0x0fff);
    let low = 0x8000_0000_0000_0000 | (counter & 0x3fff_ffff_ffff_ffff);
    Uuid::from_u64_pair(high, low)
}

fn timestamp(minutes: u64) -> Result<DateTime<Utc>, StoreError> {
    i64::try_from(minutes)
        .ok()
        .and_then(|m| m.checked_mul(60))
        .and_then(|s| s.checked_add(BASE_EPOCH_SECS))
        .and_then(|s| DateTime::from_timestamp(s, 0))
        .ok_or_else(|| StoreError::Corrupt(format!("demo timestamp out of range: +{minutes}min")))
}

/// splitmix64: a few lines, good enough statistically, and stable forever.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Self {
        Self(seed)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// A number in `0..n`; `n` must not be zero.
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// `k` distinct indices out of `0..n`, in random order.
    fn distinct(&mut self, n: usize, k: usize) -> Vec<usize> {
        let mut pool: Vec<usize> = (0..n).collect();
        for i in 0..k.min(n) {
            let j = i + self.below(n - i);
            pool.swap(i, j);
        }
        pool.truncate(k);
        pool
    }
}

#[derive(Clone, Copy, Debug)]
struct Currencies {
    eur: Currency,
    gbp: Currency,
    usd: Currency,
}

impl Currencies {
    fn new() -> Result<Self, StoreError> {
        let code = |c: &str| Currency::new(c).map_err(|e| StoreError::Corrupt(e.to_string()));
        Ok(Self { eur: code("EUR")?, gbp: code("GBP")?, usd: code("USD")? })
    }

    fn all(self) -> Vec<Currency> {
        vec![self.eur, self.gbp, self.usd]
    }
}

fn push_translations(
    rows: &mut Vec<TranslationRow>,
    resource_id: Uuid,
    field: &str,
    texts: [&str; 2],
) {
    for (language, text) in LANGUAGES.iter().zip(texts) {
        rows.push((resource_id, (*language).to_owned(), field.to_owned(), text.to_owned()));
    }
}

// ---- the fixed part: brands, channels, collections ----------------------------------------

struct BrandSeed {
    handle: &'static str,
    name: &'static str,
    /// English, French, Italian.
    description: [&'static str; 3],
}

const BRANDS: [BrandSeed; 4] = [
    BrandSeed {
        handle: "maison-lune",
        name: "Maison Lune",
        description: [
            "Parisian ready-to-wear built on fluid silks and precise tailoring since 1998.",
            "Prêt-à-porter parisien fondé sur les soies fluides et la coupe précise depuis 1998.",
            "Prêt-à-porter parigino fondato su sete fluide e sartoria precisa dal 1998.",
        ],
    },
    BrandSeed {
        handle: "atelier-nord",
        name: "Atelier Nord",
        description: [
            "Scandinavian knitwear and outerwear made from responsibly sourced wool.",
            "Maille et vêtements d'extérieur scandinaves en laine issue de sources responsables.",
            "Maglieria e capispalla scandinavi in lana di provenienza responsabile.",
        ],
    },
    BrandSeed {
        handle: "vela-milano",
        name: "Vela Milano",
        description: [
            "Milanese leather goods and tailoring, cut and stitched by hand.",
            "Maroquinerie et tailleur milanais, coupés et cousus à la main.",
            "Pelletteria e sartoria milanesi, tagliate e cucite a mano.",
        ],
    },
    BrandSeed {
        handle: "solene-et-fils",
        name: "Solène & Fils",
        description: [
            "A family house of relaxed linen and cotton essentials from the Atlantic coast.",
            "Une maison familiale d'essentiels décontractés en lin et coton de la côte atlantique.",
            "Una maison di famiglia di capi essenziali in lino e cotone della costa atlantica.",
        ],
    },
];

/// The brand that also has a storefront of its own.
const STOREFRONT_BRAND: &str = "maison-lune";

struct RootSeed {
    handle: &'static str,
    title: [&'static str; 3],
    description: [&'static str; 3],
}

const ROOTS: [RootSeed; 4] = [
    RootSeed {
        handle: "women",
        title: ["Women", "Femme", "Donna"],
        description: [
            "Dresses, knitwear, coats and more from every house.",
            "Robes, maille, manteaux et plus encore, de toutes nos maisons.",
            "Abiti, maglieria, cappotti e molto altro, da tutte le nostre maison.",
        ],
    },
    RootSeed {
        handle: "men",
        title: ["Men", "Homme", "Uomo"],
        description: [
            "Coats, knitwear, shirts and trousers built to last.",
            "Manteaux, maille, chemises et pantalons faits pour durer.",
            "Cappotti, maglieria, camicie e pantaloni fatti per durare.",
        ],
    },
    RootSeed {
        handle: "accessories",
        title: ["Accessories", "Accessoires", "Accessori"],
        description: [
            "Bags, scarves and belts to finish every look.",
            "Sacs, écharpes et ceintures pour parfaire chaque tenue.",
            "Borse, sciarpe e cinture per completare ogni look.",
        ],
    },
    RootSeed {
        handle: SALE_HANDLE,
        title: ["Sale", "Soldes", "Saldi"],
        description: [
            "Selected pieces at reduced prices, while stocks last.",
            "Une sélection de pièces à prix réduits, dans la limite des stocks disponibles.",
            "Una selezione di capi a prezzi ridotti, fino a esaurimento scorte.",
        ],
    },
];

struct Material {
    key: &'static str,
    /// The word used in titles: English, French, Italian.
    name: [&'static str; 3],
    /// The fuller wording used in descriptions: English, French, Italian.
    text: [&'static str; 3],
    care: &'static str,
}

const SILK: Material = Material {
    key: "silk",
    name: ["Silk", "soie", "seta"],
    text: ["mulberry silk", "soie de mûrier", "seta di gelso"],
    care: "Dry clean only",
};
const VISCOSE: Material = Material {
    key: "viscose",
    name: ["Viscose", "viscose", "viscosa"],
    text: ["fluid viscose crêpe", "crêpe de viscose fluide", "crêpe di viscosa fluida"],
    care: "Hand wash cold",
};
const LINEN: Material = Material {
    key: "linen",
    name: ["Linen", "lin", "lino"],
    text: ["washed European linen", "lin européen lavé", "lino europeo lavato"],
    care: "Machine wash cold, line dry",
};
const COTTON: Material = Material {
    key: "cotton",
    name: ["Cotton", "coton", "cotone"],
    text: ["organic cotton poplin", "popeline de coton bio", "popeline di cotone biologico"],
    care: "Machine wash at 30°C",
};
const MERINO: Material = Material {
    key: "merino",
    name: ["Merino", "mérinos", "merino"],
    text: ["extra-fine merino wool", "laine mérinos extra-fine", "lana merino extrafine"],
    care: "Hand wash cold, dry flat",
};
const CASHMERE: Material = Material {
    key: "cashmere",
    name: ["Cashmere", "cachemire", "cashmere"],
    text: ["pure Mongolian cashmere", "pur cachemire de Mongolie", "puro cashmere della Mongolia"],
    care: "Hand wash cold, dry flat",
};
const ALPACA: Material = Material {
    key: "alpaca",
    name: ["Alpaca", "alpaga", "alpaca"],
    text: ["soft alpaca blend", "alpaga mélangé tout doux", "misto alpaca morbido"],
    care: "Hand wash cold, dry flat",
};
const WOOL: Material = Material {
    key: "wool",
    name: ["Wool", "laine", "lana"],
    text: ["double-faced virgin wool", "laine vierge double face", "lana vergine double"],
    care: "Dry clean only",
};
const GABARDINE: Material = Material {
    key: "gabardine",
    name: ["Gabardine", "gabardine", "gabardine"],
    text: [
        "water-repellent cotton gabardine",
        "gabardine de coton déperlante",
        "gabardine di cotone idrorepellente",
    ],
    care: "Machine wash cold",
};
const LEATHER: Material = Material {
    key: "leather",
    name: ["Leather", "cuir", "pelle"],
    text: ["vegetable-tanned leather", "cuir tanné végétal", "pelle conciata al vegetale"],
    care: "Wipe clean with a dry cloth",
};
const CANVAS: Material = Material {
    key: "canvas",
    name: ["Canvas", "toile", "tela"],
    text: ["heavy cotton canvas", "toile de coton épaisse", "tela di cotone pesante"],
    care: "Spot clean only",
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sizing {
    WomenLetter,
    WomenNumeric,
    MenLetter,
    Belt,
    OneSize,
}

const LETTER_SIZES: &[&str] = &["XS", "S", "M", "L", "XL"];
const NUMERIC_SIZES: &[&str] = &["36", "38", "40", "42", "44", "46"];
const BELT_SIZES: &[&str] = &["75", "80", "85", "90", "95"];
const ONE_SIZE: &[&str] = &["One Size"];

impl Sizing {
    fn sizes(self) -> &'static [&'static str] {
        match self {
            Sizing::WomenLetter | Sizing::MenLetter => LETTER_SIZES,
            Sizing::WomenNumeric => NUMERIC_SIZES,
            Sizing::Belt => BELT_SIZES,
            Sizing::OneSize => ONE_SIZE,
        }
    }

    /// Measurements in centimetres; accessories have none.
    fn chart(self) -> Option<SizeChart> {
        let headers = |names: &[&str]| names.iter().map(|h| (*h).to_owned()).collect();
        let rows = |columns: &dyn Fn(usize, &str) -> Vec<String>| {
            self.sizes().iter().enumerate().map(|(step, size)| columns(step, size)).collect()
        };
        let cm = |base: usize, step: usize, by: usize| (base + step * by).to_string();
        match self {
            Sizing::WomenLetter => Some(SizeChart {
                headers: headers(&["Size", "Bust (cm)", "Waist (cm)", "Hips (cm)"]),
                rows: rows(&|s, size| {
                    vec![size.to_owned(), cm(80, s, 4), cm(62, s, 4), cm(88, s, 4)]
                }),
            }),
            Sizing::MenLetter => Some(SizeChart {
                headers: headers(&["Size", "Chest (cm)", "Waist (cm)"]),
                rows: rows(&|s, size| vec![size.to_owned(), cm(88, s, 6), cm(74, s, 6)]),
            }),
            Sizing::WomenNumeric => Some(SizeChart {
                headers: headers(&["FR", "UK", "US", "IT", "Bust (cm)", "Waist (cm)", "Hips (cm)"]),
                rows: rows(&|s, size| {
                    vec![
                        size.to_owned(),
                        cm(8, s, 2),
                        cm(4, s, 2),
                        cm(40, s, 2),
                        cm(82, s, 4),
                        cm(64, s, 4),
                        cm(90, s, 4),
                    ]
                }),
            }),
            Sizing::Belt | Sizing::OneSize => None,
        }
    }
}

fn size_code(size: &str) -> &str {
    if size == "One Size" {
        "OS"
    } else {
        size
    }
}

/// A leaf collection and the products that go into it.
struct Category {
    handle: &'static str,
    root: &'static str,
    title: [&'static str; 3],
    product_type: &'static str,
    /// English, French, Italian.
    items: &'static [[&'static str; 3]],
    materials: &'static [&'static Material],
    sizing: Sizing,
    /// Whole euros.
    price_eur: (i64, i64),
    weight_grams: i32,
}

const CATEGORIES: [Category; 12] = [
    Category {
        handle: "women-dresses",
        root: "women",
        title: ["Dresses", "Robes", "Abiti"],
        product_type: "Dress",
        items: &[
            ["Midi Dress", "Robe midi", "Abito midi"],
            ["Wrap Dress", "Robe portefeuille", "Abito a portafoglio"],
            ["Slip Dress", "Robe nuisette", "Abito sottoveste"],
            ["Shirt Dress", "Robe chemise", "Abito chemisier"],
        ],
        materials: &[&SILK, &VISCOSE, &LINEN, &COTTON],
        sizing: Sizing::WomenLetter,
        price_eur: (180, 420),
        weight_grams: 350,
    },
    Category {
        handle: "women-knitwear",
        root: "women",
        title: ["Knitwear", "Maille", "Maglieria"],
        product_type: "Knitwear",
        items: &[
            ["Cardigan", "Cardigan", "Cardigan"],
            ["Crewneck Sweater", "Pull col rond", "Maglione girocollo"],
            ["Turtleneck", "Pull col roulé", "Dolcevita"],
            ["Knit Vest", "Gilet en maille", "Gilet in maglia"],
        ],
        materials: &[&MERINO, &CASHMERE, &ALPACA],
        sizing: Sizing::WomenLetter,
        price_eur: (140, 520),
        weight_grams: 450,
    },
    Category {
        handle: "women-coats",
        root: "women",
        title: ["Coats", "Manteaux", "Cappotti"],
        product_type: "Coat",
        items: &[
            ["Wrap Coat", "Manteau portefeuille", "Cappotto a vestaglia"],
            ["Trench Coat", "Trench", "Trench"],
            ["Double-Breasted Coat", "Manteau croisé", "Cappotto doppiopetto"],
            ["Cocoon Coat", "Manteau cocon", "Cappotto a bozzolo"],
        ],
        materials: &[&WOOL, &CASHMERE, &GABARDINE],
        sizing: Sizing::WomenNumeric,
        price_eur: (390, 980),
        weight_grams: 1400,
    },
    Category {
        handle: "women-trousers",
        root: "women",
        title: ["Trousers", "Pantalons", "Pantaloni"],
        product_type: "Trousers",
        items: &[
            ["Wide-Leg Trousers", "Pantalon large", "Pantaloni a gamba larga"],
            ["Pleated Trousers", "Pantalon à pinces", "Pantaloni con pinces"],
            ["Cigarette Trousers", "Pantalon cigarette", "Pantaloni a sigaretta"],
        ],
        materials: &[&WOOL, &LINEN, &COTTON],
        sizing: Sizing::WomenNumeric,
        price_eur: (160, 340),
        weight_grams: 500,
    },
    Category {
        handle: "women-tops",
        root: "women",
        title: ["Tops & Shirts", "Hauts & chemises", "Top e camicie"],
        product_type: "Top",
        items: &[
            ["Blouse", "Blouse", "Blusa"],
            ["Poplin Shirt", "Chemise en popeline", "Camicia in popeline"],
            ["Camisole", "Caraco", "Canotta"],
        ],
        materials: &[&SILK, &COTTON, &VISCOSE],
        sizing: Sizing::WomenLetter,
        price_eur: (90, 260),
        weight_grams: 200,
    },
    Category {
        handle: "men-coats",
        root: "men",
        title: ["Coats & Jackets", "Manteaux & vestes", "Cappotti e giacche"],
        product_type: "Coat",
        items: &[
            ["Overcoat", "Pardessus", "Cappotto"],
            ["Chesterfield Coat", "Manteau Chesterfield", "Cappotto Chesterfield"],
            ["Field Jacket", "Veste de terrain", "Giacca field"],
            ["Car Coat", "Manteau court", "Car coat"],
        ],
        materials: &[&WOOL, &CASHMERE, &GABARDINE],
        sizing: Sizing::MenLetter,
        price_eur: (420, 1100),
        weight_grams: 1600,
    },
    Category {
        handle: "men-knitwear",
        root: "men",
        title: ["Knitwear", "Maille", "Maglieria"],
        product_type: "Knitwear",
        items: &[
            ["Crewneck Sweater", "Pull col rond", "Maglione girocollo"],
            ["Shawl Cardigan", "Cardigan col châle", "Cardigan collo a scialle"],
            ["Quarter-Zip Sweater", "Pull camionneur", "Maglione mezza zip"],
            ["Rollneck", "Pull col roulé", "Dolcevita"],
        ],
        materials: &[&MERINO, &CASHMERE, &ALPACA],
        sizing: Sizing::MenLetter,
        price_eur: (150, 540),
        weight_grams: 550,
    },
    Category {
        handle: "men-shirts",
        root: "men",
        title: ["Shirts", "Chemises", "Camicie"],
        product_type: "Shirt",
        items: &[
            ["Oxford Shirt", "Chemise Oxford", "Camicia Oxford"],
            ["Overshirt", "Surchemise", "Sovracamicia"],
            ["Camp-Collar Shirt", "Chemise col cubain", "Camicia collo cubano"],
            ["Button-Down Shirt", "Chemise à col boutonné", "Camicia button-down"],
        ],
        materials: &[&COTTON, &LINEN],
        sizing: Sizing::MenLetter,
        price_eur: (110, 240),
        weight_grams: 280,
    },
    Category {
        handle: "men-trousers",
        root: "men",
        title: ["Trousers", "Pantalons", "Pantaloni"],
        product_type: "Trousers",
        items: &[
            ["Pleated Trousers", "Pantalon à pinces", "Pantaloni con pinces"],
            ["Chinos", "Chino", "Chino"],
            ["Drawstring Trousers", "Pantalon à cordon", "Pantaloni con coulisse"],
        ],
        materials: &[&WOOL, &COTTON, &LINEN],
        sizing: Sizing::MenLetter,
        price_eur: (150, 320),
        weight_grams: 550,
    },
    Category {
        handle: "accessories-bags",
        root: "accessories",
        title: ["Bags", "Sacs", "Borse"],
        product_type: "Bag",
        items: &[
            ["Tote Bag", "Sac cabas", "Borsa tote"],
            ["Crossbody Bag", "Sac bandoulière", "Borsa a tracolla"],
            ["Weekender", "Sac week-end", "Borsa weekend"],
            ["Card Holder", "Porte-cartes", "Porta carte"],
        ],
        materials: &[&LEATHER, &CANVAS],
        sizing: Sizing::OneSize,
        price_eur: (90, 690),
        weight_grams: 900,
    },
    Category {
        handle: "accessories-scarves",
        root: "accessories",
        title: ["Scarves", "Écharpes", "Sciarpe"],
        product_type: "Scarf",
        items: &[
            ["Scarf", "Écharpe", "Sciarpa"],
            ["Stole", "Étole", "Stola"],
            ["Square Scarf", "Carré", "Foulard"],
        ],
        materials: &[&CASHMERE, &MERINO, &SILK],
        sizing: Sizing::OneSize,
        price_eur: (80, 380),
        weight_grams: 180,
    },
    Category {
        handle: "accessories-belts",
        root: "accessories",
        title: ["Belts", "Ceintures", "Cinture"],
        product_type: "Belt",
        items: &[
            ["Belt", "Ceinture", "Cintura"],
            ["Braided Belt", "Ceinture tressée", "Cintura intrecciata"],
        ],
        materials: &[&LEATHER],
        sizing: Sizing::Belt,
        price_eur: (70, 190),
        weight_grams: 250,
    },
];

const NAMES: [&str; 24] = [
    "Odette", "Camille", "Livia", "Sora", "Margaux", "Elio", "Bruno", "Nora", "Ada", "Iris", "Teo",
    "Lucien", "Alba", "Milo", "Greta", "Anouk", "Silvio", "Vera", "Jules", "Rosa", "Oskar",
    "Edith", "Dario", "Marin",
];

/// Colour names, their SKU codes, and their French and Italian names.
const COLORS: [(&str, &str, [&str; 2]); 12] = [
    ("Navy", "NAVY", ["Marine", "Blu navy"]),
    ("Black", "BLACK", ["Noir", "Nero"]),
    ("Ivory", "IVORY", ["Ivoire", "Avorio"]),
    ("Camel", "CAMEL", ["Camel", "Cammello"]),
    ("Sage", "SAGE", ["Sauge", "Salvia"]),
    ("Rust", "RUST", ["Rouille", "Ruggine"]),
    ("Charcoal", "CHAR", ["Anthracite", "Antracite"]),
    ("Ecru", "ECRU", ["Écru", "Écru"]),
    ("Burgundy", "BURG", ["Bordeaux", "Bordeaux"]),
    ("Olive", "OLIVE", ["Olive", "Oliva"]),
    ("Sky Blue", "SKY", ["Bleu ciel", "Azzurro"]),
    ("Chocolate", "CHOC", ["Chocolat", "Cioccolato"]),
];

const FITS: [[&str; 3]; 4] = [
    [
        "Cut for a relaxed, easy fit.",
        "Coupe décontractée et facile à porter.",
        "Taglio rilassato e facile da indossare.",
    ],
    [
        "Tailored to a close, clean silhouette.",
        "Coupe ajustée à la silhouette nette.",
        "Taglio aderente dalla silhouette pulita.",
    ],
    [
        "An oversized shape that layers well.",
        "Une forme oversize qui se superpose facilement.",
        "Una forma oversize perfetta da portare a strati.",
    ],
    ["A timeless straight cut.", "Une coupe droite intemporelle.", "Un taglio dritto senza tempo."],
];

const DETAILS: [[&str; 3]; 4] = [
    [
        "Finished with hand-sewn details.",
        "Finitions cousues à la main.",
        "Rifinito con dettagli cuciti a mano.",
    ],
    [
        "Made in small batches by family-run workshops.",
        "Fabriqué en petites séries par des ateliers familiaux.",
        "Prodotto in piccole serie da laboratori a conduzione familiare.",
    ],
    [
        "Designed to last for many seasons.",
        "Conçu pour durer de nombreuses saisons.",
        "Pensato per durare molte stagioni.",
    ],
    [
        "Each piece is inspected by hand.",
        "Chaque pièce est contrôlée à la main.",
        "Ogni capo è controllato a mano.",
    ],
];

const ORIGINS: [&str; 6] = ["Italy", "France", "Portugal", "Scotland", "Spain", "Romania"];
/// "Made in …" for each of `ORIGINS`, in French and Italian.
const MADE_IN: [[&str; 2]; 6] = [
    ["Fabriqué en Italie", "Prodotto in Italia"],
    ["Fabriqué en France", "Prodotto in Francia"],
    ["Fabriqué au Portugal", "Prodotto in Portogallo"],
    ["Fabriqué en Écosse", "Prodotto in Scozia"],
    ["Fabriqué en Espagne", "Prodotto in Spagna"],
    ["Fabriqué en Roumanie", "Prodotto in Romania"],
];
/// Spec names and size-chart headers in French and Italian.
const SPEC_NAMES: [(&str, [&str; 2]); 3] = [
    ("Material", ["Matière", "Materiale"]),
    ("Care", ["Entretien", "Manutenzione"]),
    ("Origin", ["Origine", "Origine"]),
];
const CHART_HEADERS: [(&str, [&str; 2]); 5] = [
    ("Size", ["Taille", "Taglia"]),
    ("Bust (cm)", ["Poitrine (cm)", "Busto (cm)"]),
    ("Waist (cm)", ["Tour de taille (cm)", "Vita (cm)"]),
    ("Hips (cm)", ["Hanches (cm)", "Fianchi (cm)"]),
    ("Chest (cm)", ["Tour de poitrine (cm)", "Torace (cm)"]),
];
const VIEWS: [&str; 4] = ["front view", "back view", "detail", "worn"];
const SEASONS: [&str; 2] = ["ss26", "fw26"];
/// Option names and their French and Italian translations.
const SIZE_OPTION: [&str; 3] = ["Size", "Taille", "Taglia"];
const COLOR_OPTION: [&str; 3] = ["Color", "Couleur", "Colore"];

/// The demo brands, channels and collections, with their translations.
struct Setup {
    brands: Vec<Brand>,
    channels: Vec<Channel>,
    collections: Vec<Collection>,
    translations: Vec<TranslationRow>,
    frame: Frame,
}

fn demo_setup() -> Result<Setup, StoreError> {
    let currencies = Currencies::new()?;
    let at = timestamp(0)?;
    let mut translations = Vec::new();

    let brands: Vec<Brand> = BRANDS
        .iter()
        .zip(0..)
        .map(|(seed, n)| Brand {
            id: demo_id(Kind::Brand, at, n),
            handle: seed.handle.to_owned(),
            name: seed.name.to_owned(),
            description: seed.description[0].to_owned(),
        })
        .collect();
    for (brand, seed) in brands.iter().zip(&BRANDS) {
        let [_, fr, it] = seed.description;
        push_translations(&mut translations, brand.id, "description", [fr, it]);
    }

    let channel = |n: u64, handle: &str, name: &str, languages: &[&str], brand_ids| Channel {
        id: demo_id(Kind::Channel, at, n),
        handle: handle.to_owned(),
        name: name.to_owned(),
        storefront_key: format!("sf_{}_demo", handle.replace('-', "_")),
        default_language: "en".to_owned(),
        languages: languages.iter().map(|l| (*l).to_owned()).collect(),
        default_currency: currencies.eur,
        currencies: currencies.all(),
        is_default: false,
        show_stock_counts: false,
        prices_include_tax: true,
        tax_country: Some("FR".to_owned()),
        payment_methods: PaymentMethod::ALL.to_vec(),
        brand_ids,
        // Any page may call the demo, so a storefront on any local port works out of the box.
        allowed_origins: vec!["*".to_owned()],
    };
    let mut marketplace = channel(
        0,
        "marketplace",
        "Vitrine Marketplace",
        &["en", "fr", "it"],
        brands.iter().map(|b| b.id).collect(),
    );
    marketplace.is_default = true;
    let own_brand: Vec<Uuid> =
        brands.iter().filter(|b| b.handle == STOREFRONT_BRAND).map(|b| b.id).collect();
    let mut storefront = channel(1, STOREFRONT_BRAND, "Maison Lune", &["en", "fr"], own_brand);
    // The brand's own site tells shoppers when few pieces are left; the marketplace does not.
    storefront.show_stock_counts = true;
    let channels = vec![marketplace, storefront];

    let mut collections: Vec<Collection> = Vec::new();
    let mut add_collection = |handle: &str,
                              title: [&str; 3],
                              description: [&str; 3],
                              parent_id: Option<Uuid>,
                              position: i32| {
        let id = demo_id(Kind::Collection, at, collections.len() as u64);
        collections.push(Collection {
            id,
            handle: handle.to_owned(),
            title: title[0].to_owned(),
            description: description[0].to_owned(),
            parent_id,
            position,
            image_url: Some(format!("/placeholder/collection-{handle}.svg")),
            seo: Seo {
                title: Some(format!("{} | Vitrine", title[0])),
                description: Some(description[0].to_owned()),
            },
            updated_at: at,
        });
        push_translations(&mut translations, id, "title", [title[1], title[2]]);
        push_translations(&mut translations, id, "description", [description[1], description[2]]);
        id
    };
    let mut root_ids = HashMap::new();
    for (root, position) in ROOTS.iter().zip(1..) {
        let id = add_collection(root.handle, root.title, root.description, None, position);
        root_ids.insert(root.handle, id);
    }
    let mut positions: HashMap<&str, i32> = HashMap::new();
    for category in &CATEGORIES {
        let position = positions.entry(category.root).or_default();
        *position += 1;
        let [en, fr, it] = category.title;
        let description = [
            format!("{en} from our houses: new-season pieces and lasting essentials."),
            format!("{fr} de nos maisons : nouveautés de saison et essentiels durables."),
            format!("{it} dalle nostre maison: novità di stagione ed essenziali senza tempo."),
        ];
        let description = [&*description[0], &*description[1], &*description[2]];
        let parent = root_ids.get(category.root).copied();
        add_collection(category.handle, category.title, description, parent, *position);
    }

    let frame = Frame::from_existing(currencies, &brands, &collections);
    Ok(Setup { brands, channels, collections, translations, frame })
}

async fn save_setup(store: &Store) -> Result<Setup, StoreError> {
    let setup = demo_setup()?;
    for brand in &setup.brands {
        store.save_brand(brand).await?;
    }
    for channel in &setup.channels {
        store.save_channel(channel).await?;
    }
    for collection in &setup.collections {
        store.save_collection(collection).await?;
    }
    store.insert_translations(setup.translations.clone()).await?;
    for location in demo_locations()? {
        store.save_location(&location).await?;
    }
    Ok(setup)
}

/// The retailer's stock locations: a warehouse that ships, a shop that ships and takes
/// collections, and a shop for collections only.
fn demo_locations() -> Result<Vec<Location>, StoreError> {
    let at = timestamp(0)?;
    let place = |n: u64,
                 name: &str,
                 kind,
                 address1: &str,
                 city: &str,
                 zip: &str,
                 country: &str,
                 ships,
                 pickup| {
        Location {
            id: demo_id(Kind::Location, at, n),
            name: name.to_owned(),
            kind,
            address: Address {
                address1: address1.to_owned(),
                address2: None,
                city: city.to_owned(),
                zip: zip.to_owned(),
                country_code: country.to_owned(),
            },
            fulfills_online_orders: ships,
            pickup_enabled: pickup,
            priority: n as i32,
            created_at: at,
        }
    };
    Ok(vec![
        place(
            1,
            "Paris Nord warehouse",
            LocationKind::Warehouse,
            "12 rue des Entrepôts",
            "Saint-Denis",
            "93200",
            "FR",
            true,
            false,
        ),
        place(
            2,
            "Milano Brera shop",
            LocationKind::Shop,
            "Via Brera 21",
            "Milano",
            "20121",
            "IT",
            true,
            true,
        ),
        place(
            3,
            "London Marylebone shop",
            LocationKind::Shop,
            "48 Marylebone High Street",
            "London",
            "W1U 5HT",
            "GB",
            false,
            true,
        ),
    ])
}

/// Opening stock of generated variants, written through the stock ledger like any count: the
/// warehouse holds the generated quantity, the shops a few pieces of some of those variants.
async fn write_opening_stock(
    store: &Store,
    locations: &[Location],
    quantities: &[(Uuid, i64)],
) -> Result<(), StoreError> {
    if locations.is_empty() || quantities.is_empty() {
        return Ok(());
    }
    let ids: Vec<Uuid> = quantities.iter().map(|q| q.0).collect();
    let write = StockWrite {
        group_id: Uuid::now_v7(),
        skus: &[],
        variant_ids: &ids,
        reason: "opening stock",
        reference_document_uri: None,
        actor: "system:demo",
        idempotency: None,
    };
    let outcome = store
        .write_stock(write, |snapshot| {
            for (n, (variant_id, quantity)) in quantities.iter().enumerate() {
                for (i, location) in locations.iter().enumerate() {
                    // Shops carry a few pieces of what the warehouse has; sold out stays sold out.
                    let on_hand = match i {
                        0 => *quantity,
                        _ if *quantity == 0 => 0,
                        _ => ((n + i) % 3) as i64,
                    };
                    if on_hand > 0 {
                        snapshot
                            .apply(
                                *variant_id,
                                location.id,
                                StockMovement::Set { quantity: on_hand, expected: None },
                            )
                            .map_err(|e| e.to_string())?;
                    }
                }
            }
            Ok::<(), String>(())
        })
        .await?;
    match outcome {
        StockWriteOutcome::Written(_) => Ok(()),
        other => Err(StoreError::Corrupt(format!("opening stock refused: {other:?}"))),
    }
}

// ---- the generated part: products -----------------------------------------------------------

struct BrandRef {
    id: Uuid,
    name: String,
    /// Upper-case initials starting every SKU of the brand: "ML" for Maison Lune.
    sku_prefix: String,
}

/// Where generated products go: brands taken in turn, and per category the collections a
/// product joins (its leaf collection and that one's ancestors).
struct Frame {
    currencies: Currencies,
    brands: Vec<BrandRef>,
    placements: Vec<Vec<Uuid>>,
    sale: Option<Uuid>,
}

impl Frame {
    /// Fits the generator to a catalog: a collection whose handle is a category's goes with
    /// that category; categories with no such collection share the other leaf collections.
    fn from_existing(currencies: Currencies, brands: &[Brand], collections: &[Collection]) -> Self {
        let mut brands: Vec<&Brand> = brands.iter().collect();
        brands.sort_by_key(|b| b.id);
        let brands = brands
            .into_iter()
            .map(|b| BrandRef { id: b.id, name: b.name.clone(), sku_prefix: sku_prefix(&b.name) })
            .collect();

        let by_id: HashMap<Uuid, &Collection> = collections.iter().map(|c| (c.id, c)).collect();
        let by_handle: HashMap<&str, &Collection> =
            collections.iter().map(|c| (c.handle.as_str(), c)).collect();
        let parents: HashSet<Uuid> = collections.iter().filter_map(|c| c.parent_id).collect();
        let mut leaves: Vec<&Collection> = collections
            .iter()
            .filter(|c| !parents.contains(&c.id) && c.handle != SALE_HANDLE)
            .collect();
        leaves.sort_by_key(|c| c.id);
        let placements = CATEGORIES
            .iter()
            .enumerate()
            .map(|(n, category)| {
                let leaf = by_handle
                    .get(category.handle)
                    .copied()
                    .or_else(|| leaves.get(n % leaves.len().max(1)).copied());
                leaf.map(|leaf| lineage(leaf, &by_id)).unwrap_or_default()
            })
            .collect();
        let sale = by_handle.get(SALE_HANDLE).map(|c| c.id);
        Self { currencies, brands, placements, sale }
    }
}

/// A collection's id followed by its ancestors' ids, nearest first.
fn lineage(leaf: &Collection, by_id: &HashMap<Uuid, &Collection>) -> Vec<Uuid> {
    let mut ids = vec![leaf.id];
    let mut parent = leaf.parent_id;
    // A cycle would be a corrupt tree; stop rather than loop.
    while let Some(id) = parent.filter(|id| !ids.contains(id)) {
        match by_id.get(&id) {
            Some(c) => {
                ids.push(c.id);
                parent = c.parent_id;
            }
            None => break,
        }
    }
    ids
}

/// Initials of the brand name, ASCII because `slugify` folds accents (and is never empty).
fn sku_prefix(brand_name: &str) -> String {
    slugify(brand_name)
        .split('-')
        .filter_map(|word| word.chars().next())
        .take(3)
        .collect::<String>()
        .to_ascii_uppercase()
}

/// An EAN-13 in the in-store range (prefix 2), unique per variant counter.
fn ean13(counter: u64) -> String {
    let body = format!("200{:09}", counter % 1_000_000_000);
    format!("{body}{}", ean_check_digit(&body))
}

/// The check digit of a 12-digit EAN body: digits weighted 1, 3, 1, 3... from the left.
fn ean_check_digit(body: &str) -> u32 {
    let sum: u32 = body
        .bytes()
        .enumerate()
        .map(|(i, b)| u32::from(b.wrapping_sub(b'0')) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    (10 - sum % 10) % 10
}

/// Rounds whole currency units to the nearest 5, as price tags are.
fn round5(amount: i64) -> i64 {
    ((amount + 2) / 5 * 5).max(5)
}

fn prices(currencies: Currencies, variant_id: Uuid, eur: i64, on_sale: bool) -> Vec<VariantPrice> {
    // Fixed conversion rates (percent of the euro price).
    [(currencies.eur, 100), (currencies.gbp, 86), (currencies.usd, 108)]
        .into_iter()
        .map(|(currency, rate)| {
            let whole = round5(eur * rate / 100);
            VariantPrice {
                variant_id,
                price: Money::new(whole * 100, currency),
                compare_at: on_sale.then(|| Money::new(round5(whole * 13 / 10) * 100, currency)),
            }
        })
        .collect()
}

fn capitalize(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

struct Generated {
    draft: ProductDraft,
    translations: Vec<TranslationRow>,
}

/// Product number `index` (0-based, over the whole catalog). Depends only on the frame and the
/// index, so batches can be generated independently.
fn generate_product(frame: &Frame, index: u64) -> Result<Generated, StoreError> {
    let mut rng = Rng::new(SEED ^ index.wrapping_mul(0xd6e8_feb8_6659_fd93));
    let number = index + 1;
    let created_at = timestamp(index)?;
    let updated_at = timestamp(index + index % 90)?;
    let product_id = demo_id(Kind::Product, created_at, index);

    let category_index = rng.below(CATEGORIES.len());
    let category = &CATEGORIES[category_index];
    let brand = frame.brands.get(index as usize % frame.brands.len().max(1));
    let brand_name = brand.map_or("Vitrine", |b| b.name.as_str());
    let material = *rng.pick(category.materials);
    let [item, item_fr, item_it] = *rng.pick(category.items);
    let name = *rng.pick(&NAMES);
    let [fit, fit_fr, fit_it] = *rng.pick(&FITS);
    let [detail, detail_fr, detail_it] = *rng.pick(&DETAILS);
    let origin = *rng.pick(&ORIGINS);
    let season = *rng.pick(&SEASONS);
    let color_count = 2 + rng.below(2);
    let colors: Vec<(&str, &str, [&str; 2])> =
        rng.distinct(COLORS.len(), color_count).into_iter().map(|c| COLORS[c]).collect();
    let image_count = 2 + rng.below(3);
    let (lo, hi) = category.price_eur;
    let base_price = round5(lo + rng.below((hi - lo + 1) as usize) as i64);
    // The last colour of some products costs a little more, so price ranges are not flat.
    let premium = rng.chance(25);
    let on_sale = rng.chance(15);
    let sold_out = rng.chance(5);
    let bestseller = rng.chance(10);
    let status = if index % 64 == 63 {
        ProductStatus::Draft
    } else if index % 160 == 150 {
        ProductStatus::Archived
    } else {
        ProductStatus::Active
    };

    let title = format!("{name} {} {item}", material.name[0]);
    let handle = format!("{}-{number}", slugify(&title));
    let [text, text_fr, text_it] = material.text;
    let description =
        format!("The {name} {} by {brand_name}, in {text}. {fit} {detail}", item.to_lowercase());

    let images: Vec<Image> = (0..image_count)
        .map(|n| Image {
            id: demo_id(Kind::Image, created_at, index * 8 + n as u64),
            product_id,
            url: format!("/placeholder/{handle}-{}.svg", n + 1),
            alt_text: Some(format!("{title} in {}, {}", colors[n % colors.len()].0, VIEWS[n])),
            width: Some(800),
            height: Some(1000),
            position: n as i32 + 1,
        })
        .collect();

    let sizes = category.sizing.sizes();
    let option = |n: u64, name: &str, values: Vec<String>| ProductOption {
        id: demo_id(Kind::Option, created_at, index * 4 + n),
        product_id,
        name: name.to_owned(),
        position: n as i32 + 1,
        values,
    };
    let options = vec![
        option(0, SIZE_OPTION[0], sizes.iter().map(|s| (*s).to_owned()).collect()),
        option(1, COLOR_OPTION[0], colors.iter().map(|c| c.0.to_owned()).collect()),
    ];

    let sku_prefix = brand.map_or("VT", |b| b.sku_prefix.as_str());
    let mut variants = Vec::with_capacity(sizes.len() * colors.len());
    for (step, size) in sizes.iter().enumerate() {
        for (c, (color, color_code, _)) in colors.iter().enumerate() {
            let counter = index * 64 + variants.len() as u64;
            let id = demo_id(Kind::Variant, created_at, counter);
            let selected = vec![
                SelectedOption { name: SIZE_OPTION[0].to_owned(), value: (*size).to_owned() },
                SelectedOption { name: COLOR_OPTION[0].to_owned(), value: (*color).to_owned() },
            ];
            let quantity = match rng.below(100) {
                _ if sold_out => 0,
                r if r < 18 => 0,
                r => 1 + (r % 24) as i32,
            };
            let surcharge =
                if premium && c + 1 == colors.len() { round5(base_price / 10) } else { 0 };
            variants.push(VariantDraft {
                variant: Variant {
                    id,
                    product_id,
                    sku: format!("{sku_prefix}-{number:04}-{}-{color_code}", size_code(size)),
                    title: variant_title(&selected),
                    barcode: Some(ean13(counter)),
                    weight_grams: Some(category.weight_grams + 20 * step as i32),
                    selected_options: selected,
                    position: variants.len() as i32 + 1,
                    image_id: images.get(c).map(|image| image.id),
                    inventory_tracked: true,
                    inventory_quantity: quantity,
                    created_at,
                    updated_at,
                },
                prices: prices(frame.currencies, id, base_price + surcharge, on_sale),
            });
        }
    }

    let tag_suffix = category.handle.split_once('-').map_or(category.handle, |(_, t)| t);
    let mut tags = vec![category.root, tag_suffix, material.key, season];
    if on_sale {
        tags.push("sale");
    }
    if bestseller {
        tags.push("bestseller");
    }
    let mut collection_ids = frame.placements.get(category_index).cloned().unwrap_or_default();
    if let Some(sale) = frame.sale.filter(|_| on_sale) {
        collection_ids.push(sale);
    }

    let product = Product {
        id: product_id,
        handle,
        title: title.clone(),
        description: description.clone(),
        brand_id: brand.map(|b| b.id),
        status,
        product_type: category.product_type.to_owned(),
        tags: tags.into_iter().map(str::to_owned).collect(),
        specs: vec![
            Spec { name: "Material".to_owned(), value: capitalize(text) },
            Spec { name: "Care".to_owned(), value: material.care.to_owned() },
            Spec { name: "Origin".to_owned(), value: format!("Made in {origin}") },
        ],
        size_chart: category.sizing.chart(),
        seo: Seo {
            title: Some(format!("{title} | {brand_name}")),
            description: Some(description.chars().take(160).collect()),
        },
        available_for_sale: variants.iter().any(|v| v.variant.available_for_sale()),
        created_at,
        updated_at,
        published_at: (status != ProductStatus::Draft).then_some(created_at),
    };

    let mut translations = Vec::new();
    let [_, material_fr, material_it] = material.name;
    let title_fr = format!("{item_fr} {name} en {material_fr}");
    let title_it = format!("{item_it} {name} in {material_it}");
    let description_fr =
        format!("{item_fr} {name} par {brand_name}, en {text_fr}. {fit_fr} {detail_fr}");
    let description_it =
        format!("{item_it} {name} di {brand_name}, in {text_it}. {fit_it} {detail_it}");
    push_translations(&mut translations, product_id, "title", [&title_fr, &title_it]);
    push_translations(
        &mut translations,
        product_id,
        "description",
        [&description_fr, &description_it],
    );
    for (option, names) in options.iter().zip([SIZE_OPTION, COLOR_OPTION]) {
        push_translations(&mut translations, option.id, "name", [names[1], names[2]]);
    }
    for (color, _, [fr, it]) in &colors {
        push_translations(&mut translations, options[1].id, &option_value_key(color), [fr, it]);
    }
    for (name, [fr, it]) in SPEC_NAMES {
        push_translations(&mut translations, product_id, &spec_name_key(name), [fr, it]);
    }
    let material_key = spec_value_key("Material");
    push_translations(
        &mut translations,
        product_id,
        &material_key,
        [&capitalize(text_fr), &capitalize(text_it)],
    );
    if let Some(at) = ORIGINS.iter().position(|o| *o == origin) {
        push_translations(&mut translations, product_id, &spec_value_key("Origin"), MADE_IN[at]);
    }
    let headers = product.size_chart.as_ref().map(|c| c.headers.clone()).unwrap_or_default();
    for (header, texts) in CHART_HEADERS {
        if headers.iter().any(|h| h == header) {
            let key = size_chart_header_key(header);
            push_translations(&mut translations, product_id, &key, texts);
        }
    }

    Ok(Generated {
        draft: ProductDraft { product, options, variants, images, collection_ids },
        translations,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use vitrine_domain::catalog::{
        is_translatable_key, validate_handle, validate_options, validate_selected_options,
        validate_sku,
    };
    use vitrine_domain::id::NodeKind;

    fn demo_products(frame: &Frame, range: std::ops::Range<u64>) -> Vec<Generated> {
        range.map(|i| generate_product(frame, i).expect("generates")).collect()
    }

    #[test]
    fn generating_twice_gives_the_same_catalog() {
        let a = demo_setup().expect("setup");
        let b = demo_setup().expect("setup");
        assert_eq!(a.brands, b.brands);
        assert_eq!(a.channels, b.channels);
        assert_eq!(a.collections, b.collections);
        assert_eq!(a.translations, b.translations);
        for index in [0, 1, 150, 319, 99_999] {
            let x = generate_product(&a.frame, index).expect("generates");
            let y = generate_product(&b.frame, index).expect("generates");
            assert_eq!(format!("{:?}", x.draft), format!("{:?}", y.draft));
            assert_eq!(x.translations, y.translations);
        }
    }

    #[test]
    fn handles_skus_and_options_are_valid_and_unique() {
        let setup = demo_setup().expect("setup");
        let mut handles = HashSet::new();
        let mut skus = HashSet::new();
        let mut barcodes = HashSet::new();
        let mut ids = HashSet::new();
        for g in demo_products(&setup.frame, 0..DEMO_PRODUCTS as u64)
            .into_iter()
            .chain(demo_products(&setup.frame, 20_000..20_200))
        {
            let p = &g.draft.product;
            validate_handle(&p.handle).expect("valid handle");
            assert!(handles.insert(p.handle.clone()), "duplicate handle {}", p.handle);
            assert!(ids.insert(p.id));
            let options: Vec<(String, Vec<String>)> =
                g.draft.options.iter().map(|o| (o.name.clone(), o.values.clone())).collect();
            validate_options(&options).expect("valid options");
            let colors = g.draft.options[1].values.len();
            assert!((2..=3).contains(&colors));
            assert_eq!(g.draft.variants.len(), g.draft.options[0].values.len() * colors);
            assert!((2..=4).contains(&g.draft.images.len()));
            for v in &g.draft.variants {
                let v = &v.variant;
                assert_eq!(validate_sku(&v.sku).as_ref(), Ok(&v.sku));
                assert!(skus.insert(v.sku.clone()), "duplicate sku {}", v.sku);
                assert!(barcodes.insert(v.barcode.clone()));
                assert!(ids.insert(v.id));
                let ordered = validate_selected_options(&g.draft.options, &v.selected_options)
                    .expect("valid selection");
                assert_eq!(ordered, v.selected_options);
                if let Some(image) = v.image_id {
                    assert!(g.draft.images.iter().any(|i| i.id == image));
                }
            }
            for image in &g.draft.images {
                assert!(image.url.starts_with(&format!("/placeholder/{}-", p.handle)));
                assert!(ids.insert(image.id));
            }
        }
        assert_eq!(handles.len(), DEMO_PRODUCTS + 200);
    }

    #[test]
    fn the_demo_catalog_has_the_expected_variety() {
        let setup = demo_setup().expect("setup");
        let products = demo_products(&setup.frame, 0..DEMO_PRODUCTS as u64);
        let count = |f: &dyn Fn(&Generated) -> bool| products.iter().filter(|g| f(g)).count();
        let status = |s| move |g: &Generated| g.draft.product.status == s;
        assert_eq!(count(&status(ProductStatus::Archived)), 2);
        assert!((3..=10).contains(&count(&status(ProductStatus::Draft))));
        assert!(count(&|g| !g.draft.product.available_for_sale) > 0);
        assert!(
            count(&|g| {
                g.draft.product.available_for_sale
                    && g.draft.variants.iter().any(|v| !v.variant.available_for_sale())
            }) > 0
        );
        assert!(count(&|g| g.draft.variants[0].prices[0].compare_at.is_some()) > 10);
        assert!(count(&|g| g.draft.variants.iter().any(|v| v.variant.image_id.is_none())) > 0);
        assert!(count(&|g| g.draft.product.size_chart.is_some()) > 100);
        for g in &products {
            let p = &g.draft.product;
            let available = g.draft.variants.iter().any(|v| v.variant.available_for_sale());
            assert_eq!(p.available_for_sale, available);
            assert!(!g.draft.collection_ids.is_empty());
            assert!(p.brand_id.is_some());
            for v in &g.draft.variants {
                let currencies: Vec<&str> =
                    v.prices.iter().map(|p| p.price.currency.as_str()).collect();
                assert_eq!(currencies, ["EUR", "GBP", "USD"]);
                for price in &v.prices {
                    assert!(price.price.minor > 0 && price.price.minor % 500 == 0);
                    assert!(price.compare_at.is_none_or(|c| c.minor > price.price.minor));
                }
            }
        }
        // Every brand and every leaf collection gets products.
        let brands: HashSet<_> = products.iter().filter_map(|g| g.draft.product.brand_id).collect();
        assert_eq!(brands.len(), BRANDS.len());
        let leaves: HashSet<_> = products.iter().map(|g| g.draft.collection_ids[0]).collect();
        assert_eq!(leaves.len(), CATEGORIES.len());
    }

    #[test]
    fn ids_sort_in_creation_order() {
        let setup = demo_setup().expect("setup");
        let products = demo_products(&setup.frame, 0..50);
        let product_ids: Vec<Uuid> = products.iter().map(|g| g.draft.product.id).collect();
        assert!(product_ids.windows(2).all(|w| w[0] < w[1]));
        let variant_ids: Vec<Uuid> =
            products.iter().flat_map(|g| g.draft.variants.iter().map(|v| v.variant.id)).collect();
        assert!(variant_ids.windows(2).all(|w| w[0] < w[1]));
        let image_ids: Vec<Uuid> =
            products.iter().flat_map(|g| g.draft.images.iter().map(|i| i.id)).collect();
        assert!(image_ids.windows(2).all(|w| w[0] < w[1]));
        let collection_ids: Vec<Uuid> = setup.collections.iter().map(|c| c.id).collect();
        assert!(collection_ids.windows(2).all(|w| w[0] < w[1]));
        let created: Vec<_> = products.iter().map(|g| g.draft.product.created_at).collect();
        assert!(created.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(created[0].to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(product_ids[0].get_version_num(), 7);
    }

    #[test]
    fn translations_name_translatable_fields() {
        let setup = demo_setup().expect("setup");
        let mut kinds: HashMap<Uuid, NodeKind> = HashMap::new();
        kinds.extend(setup.brands.iter().map(|b| (b.id, NodeKind::Brand)));
        kinds.extend(setup.collections.iter().map(|c| (c.id, NodeKind::Collection)));
        let mut rows = setup.translations.clone();
        for g in demo_products(&setup.frame, 0..40) {
            kinds.insert(g.draft.product.id, NodeKind::Product);
            kinds.extend(g.draft.options.iter().map(|o| (o.id, NodeKind::ProductOption)));
            rows.extend(g.translations);
        }
        let mut keys = HashSet::new();
        for (id, language, field, content) in &rows {
            let kind = kinds.get(id).expect("translated object exists");
            assert!(is_translatable_key(*kind, field), "{kind:?}.{field}");
            assert!(["fr", "it"].contains(&language.as_str()));
            assert!(!content.trim().is_empty());
            assert!(keys.insert((*id, language.clone(), field.clone())), "duplicate row");
        }
        let first = generate_product(&setup.frame, 0).expect("generates");
        let title = &first.translations[0];
        assert_eq!((title.1.as_str(), title.2.as_str()), ("fr", "title"));
        assert!(title.3.contains(" en "));
    }

    #[test]
    fn setup_has_two_channels_and_a_collection_tree() {
        let setup = demo_setup().expect("setup");
        assert!(setup.brands.len() >= 3);
        let defaults: Vec<_> = setup.channels.iter().filter(|c| c.is_default).collect();
        assert_eq!(defaults.len(), 1);
        let marketplace = defaults[0];
        assert_eq!(marketplace.handle, "marketplace");
        assert_eq!(marketplace.storefront_key, "sf_marketplace_demo");
        assert_eq!(marketplace.languages, ["en", "fr", "it"]);
        assert_eq!(marketplace.brand_ids.len(), setup.brands.len());
        let lune = setup.channels.iter().find(|c| c.handle == "maison-lune").expect("storefront");
        assert_eq!(lune.storefront_key, "sf_maison_lune_demo");
        assert_eq!(lune.brand_ids.len(), 1);
        assert_eq!(lune.default_currency.as_str(), "EUR");
        assert_eq!(lune.currencies.len(), 3);

        let mut handles = HashSet::new();
        for c in &setup.collections {
            validate_handle(&c.handle).expect("valid handle");
            assert!(handles.insert(c.handle.as_str()));
        }
        let women = setup.collections.iter().find(|c| c.handle == "women").expect("root");
        let dresses = setup.collections.iter().find(|c| c.handle == "women-dresses").expect("leaf");
        assert_eq!(dresses.parent_id, Some(women.id));
        assert!(setup.frame.sale.is_some());
        for (placement, category) in setup.frame.placements.iter().zip(&CATEGORIES) {
            let leaf = setup.collections.iter().find(|c| c.id == placement[0]).expect("leaf");
            assert_eq!(leaf.handle, category.handle);
            assert_eq!(placement.len(), 2);
        }
    }

    #[test]
    fn a_foreign_catalog_shares_its_leaf_collections() {
        let setup = demo_setup().expect("setup");
        let at = timestamp(0).expect("time");
        let collection = |n: u64, handle: &str, parent_id| Collection {
            id: demo_id(Kind::Collection, at, 1000 + n),
            handle: handle.to_owned(),
            title: handle.to_owned(),
            description: String::new(),
            parent_id,
            position: 1,
            image_url: None,
            seo: Seo::default(),
            updated_at: at,
        };
        let root = collection(0, "all", None);
        let shoes = collection(1, "shoes", Some(root.id));
        let hats = collection(2, "hats", Some(root.id));
        let brand = Brand {
            id: Uuid::nil(),
            handle: "e".to_owned(),
            name: "Été Studio".to_owned(),
            description: String::new(),
        };
        let collections = [root.clone(), shoes.clone(), hats.clone()];
        let frame = Frame::from_existing(setup.frame.currencies, &[brand], &collections);
        assert_eq!(frame.brands[0].sku_prefix, "ES");
        assert!(frame.sale.is_none());
        for placement in &frame.placements {
            assert!(placement == &[shoes.id, root.id] || placement == &[hats.id, root.id]);
        }
        let g = generate_product(&frame, 7).expect("generates");
        assert!(g.draft.variants[0].variant.sku.starts_with("ES-0008-"));

        let empty = Frame::from_existing(setup.frame.currencies, &[], &[]);
        let g = generate_product(&empty, 0).expect("generates");
        assert!(g.draft.collection_ids.is_empty() && g.draft.product.brand_id.is_none());
    }

    #[test]
    fn helpers() {
        assert_eq!(ean13(0).len(), 13);
        assert_eq!(ean_check_digit("400638133393"), 1);
        assert_eq!(ean13(1), "2000000000015");
        assert_eq!(round5(297), 295);
        assert_eq!(round5(298), 300);
        assert_eq!(round5(1), 5);
        assert_eq!(sku_prefix("Maison Lune"), "ML");
        assert_eq!(sku_prefix("Solène & Fils"), "SF");
        assert_eq!(sku_prefix("Atelier du Grand Nord"), "ADG");
        assert_eq!(size_code("One Size"), "OS");
        let mut rng = Rng::new(1);
        let picked = rng.distinct(12, 3);
        assert_eq!(picked.len(), 3);
        assert_eq!(picked.iter().collect::<HashSet<_>>().len(), 3);
    }

    /// A file-backed SQLite database (in-memory ones are per connection), removed on drop.
    struct TempDb(std::path::PathBuf);

    impl Drop for TempDb {
        fn drop(&mut self) {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", self.0.display()));
            }
        }
    }

    async fn temp_store(name: &str) -> (Store, TempDb) {
        let path = std::env::temp_dir().join(format!("vitrine-{name}-{}.db", std::process::id()));
        let db = TempDb(path);
        drop(TempDb(db.0.clone()));
        let store = Store::connect(&format!("sqlite://{}", db.0.display())).await.expect("connect");
        store.migrate().await.expect("migrate");
        (store, db)
    }

    #[tokio::test]
    async fn loads_the_demo_then_seeds_more_products() {
        let (store, _db) = temp_store("demo-load").await;
        let summary = load_demo(&store).await.expect("demo loads");
        assert_eq!(
            (summary.channels, summary.brands, summary.collections, summary.products),
            (2, BRANDS.len(), ROOTS.len() + CATEGORIES.len(), DEMO_PRODUCTS)
        );
        assert!(summary.variants > DEMO_PRODUCTS * 5);
        assert_eq!(store.product_count().await.expect("count"), DEMO_PRODUCTS as u64);
        let channels = store.channels().await.expect("channels");
        assert_eq!(channels.iter().filter(|c| c.is_default).count(), 1);

        let mut calls = Vec::new();
        seed_products(&store, 1_100, |done, total| calls.push((done, total))).await.expect("seeds");
        assert_eq!(calls, [(500, 1_100), (1_000, 1_100), (1_100, 1_100)]);
        assert_eq!(store.product_count().await.expect("count"), 1_420);

        // Seeded products land in the demo collections, translated like demo products.
        let setup = demo_setup().expect("setup");
        let expected = generate_product(&setup.frame, 1_000).expect("generates");
        let product = store
            .product_by_handle(&expected.draft.product.handle)
            .await
            .expect("reads")
            .expect("seeded product exists");
        assert_eq!(product, expected.draft.product);
        let memberships = store.collection_ids_of_products(&[product.id]).await.expect("reads");
        assert!(memberships.iter().any(|(_, c)| *c == expected.draft.collection_ids[0]));
        let fr = store.translations(&[product.id], "fr").await.expect("reads");
        assert!(fr.contains_key(&(product.id, "title".to_owned())));

        assert!(load_demo(&store).await.is_err(), "the demo loads into an empty database only");
        store.close().await;
    }

    #[tokio::test]
    async fn seeding_an_empty_database_creates_brands_and_channels_first() {
        let (store, _db) = temp_store("demo-seed").await;
        seed_products(&store, 10, |_, _| {}).await.expect("seeds");
        assert_eq!(store.brands().await.expect("brands").len(), BRANDS.len());
        assert_eq!(store.channels().await.expect("channels").len(), 2);
        assert_eq!(store.product_count().await.expect("count"), 10);
        store.close().await;
    }
}
