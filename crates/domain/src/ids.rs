//! Identifiers. Distinct types so a member id can never be passed where a unit id belongs.

/// Declares an id type: a copyable newtype over the database's `i64`, shown as its number.
/// Attributes before the name (docs, extra derives) are put on the type, so `charter-model`
/// declares its record ids with this too, adding serialisation.
#[macro_export]
macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl From<i64> for $name {
            fn from(raw: i64) -> Self {
                $name(raw)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "{}", self.0)
            }
        }
    };
}

id_type!(
    /// A person in the register.
    MemberId
);
id_type!(
    /// A node of the organisation's tree: national, region or branch.
    UnitId
);
id_type!(
    /// A group that meets and decides.
    BodyId
);
id_type!(
    /// An office (chair, secretary…) of a unit.
    OfficeId
);
id_type!(
    /// A governance event's position in the append-only log.
    EventId
);
