//! Global, opaque object identifiers: `gid://vitrine/Product/<uuid v7>`.

use std::fmt;

use uuid::Uuid;

/// The kinds of object a global ID can name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum NodeKind {
    Channel,
    Brand,
    Collection,
    Product,
    ProductOption,
    ProductVariant,
    Image,
    Customer,
    StaffUser,
    ApiToken,
    Location,
    InventoryAdjustmentGroup,
    Company,
    CompanyLocation,
    CustomerGroup,
    PriceList,
    Discount,
    TaxRate,
    Cart,
    CartLine,
    Order,
    OrderLine,
    Fulfillment,
    DeliveryMethod,
    Payment,
}

impl NodeKind {
    pub const ALL: [NodeKind; 25] = [
        NodeKind::Channel,
        NodeKind::Brand,
        NodeKind::Collection,
        NodeKind::Product,
        NodeKind::ProductOption,
        NodeKind::ProductVariant,
        NodeKind::Image,
        NodeKind::Customer,
        NodeKind::StaffUser,
        NodeKind::ApiToken,
        NodeKind::Location,
        NodeKind::InventoryAdjustmentGroup,
        NodeKind::Company,
        NodeKind::CompanyLocation,
        NodeKind::CustomerGroup,
        NodeKind::PriceList,
        NodeKind::Discount,
        NodeKind::TaxRate,
        NodeKind::Cart,
        NodeKind::CartLine,
        NodeKind::Order,
        NodeKind::OrderLine,
        NodeKind::Fulfillment,
        NodeKind::DeliveryMethod,
        NodeKind::Payment,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            NodeKind::Channel => "Channel",
            NodeKind::Brand => "Brand",
            NodeKind::Collection => "Collection",
            NodeKind::Product => "Product",
            NodeKind::ProductOption => "ProductOption",
            NodeKind::ProductVariant => "ProductVariant",
            NodeKind::Image => "Image",
            NodeKind::Customer => "Customer",
            NodeKind::StaffUser => "StaffUser",
            NodeKind::ApiToken => "ApiToken",
            NodeKind::Location => "Location",
            NodeKind::InventoryAdjustmentGroup => "InventoryAdjustmentGroup",
            NodeKind::Company => "Company",
            NodeKind::CompanyLocation => "CompanyLocation",
            NodeKind::CustomerGroup => "CustomerGroup",
            NodeKind::PriceList => "PriceList",
            NodeKind::Discount => "Discount",
            NodeKind::TaxRate => "TaxRate",
            NodeKind::Cart => "Cart",
            NodeKind::CartLine => "CartLine",
            NodeKind::Order => "Order",
            NodeKind::OrderLine => "OrderLine",
            NodeKind::Fulfillment => "Fulfillment",
            NodeKind::DeliveryMethod => "DeliveryMethod",
            NodeKind::Payment => "Payment",
        }
    }
}

const PREFIX: &str = "gid://vitrine/";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GlobalId {
    pub kind: NodeKind,
    pub id: Uuid,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("`{0}` is not a Vitrine ID")]
    Malformed(String),
    #[error("`{id}` is not a {expected} ID")]
    WrongKind { id: String, expected: &'static str },
}

impl GlobalId {
    pub fn new(kind: NodeKind, id: Uuid) -> Self {
        Self { kind, id }
    }

    pub fn parse(text: &str) -> Result<Self, IdError> {
        let malformed = || IdError::Malformed(text.to_owned());
        let rest = text.strip_prefix(PREFIX).ok_or_else(malformed)?;
        let (kind, id) = rest.split_once('/').ok_or_else(malformed)?;
        let kind = NodeKind::ALL.into_iter().find(|k| k.as_str() == kind).ok_or_else(malformed)?;
        let id = Uuid::parse_str(id).map_err(|_| malformed())?;
        Ok(Self { kind, id })
    }

    /// Parses and checks that the ID names an object of the expected kind.
    pub fn parse_kind(text: &str, expected: NodeKind) -> Result<Uuid, IdError> {
        let gid = Self::parse(text)?;
        if gid.kind != expected {
            return Err(IdError::WrongKind { id: text.to_owned(), expected: expected.as_str() });
        }
        Ok(gid.id)
    }
}

impl fmt::Display for GlobalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}{}/{}", self.kind.as_str(), self.id)
    }
}

/// A new time-ordered identifier, so that rows inserted together stay close in indexes.
pub fn new_id() -> Uuid {
    Uuid::now_v7()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_ids_round_trip() {
        let gid = GlobalId::new(NodeKind::ProductVariant, new_id());
        assert_eq!(GlobalId::parse(&gid.to_string()), Ok(gid));
    }

    #[test]
    fn parse_kind_rejects_an_id_of_another_kind() {
        let gid = GlobalId::new(NodeKind::Brand, new_id()).to_string();
        assert!(matches!(
            GlobalId::parse_kind(&gid, NodeKind::Product),
            Err(IdError::WrongKind { .. })
        ));
    }

    #[test]
    fn malformed_ids_are_rejected() {
        for bad in [
            "",
            "gid://vitrine/Product",
            "gid://shopify/Product/1",
            "gid://vitrine/Nope/0190a0a0-0000-7000-8000-000000000000",
            "gid://vitrine/Product/42",
        ] {
            assert!(GlobalId::parse(bad).is_err(), "{bad:?}");
        }
    }
}
