//! The organisation's tree: national → regions → branches.

use std::collections::HashMap;

use crate::ids::UnitId;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum UnitKind {
    National,
    Region,
    Branch,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::National => "national",
            UnitKind::Region => "region",
            UnitKind::Branch => "branch",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        match raw {
            "national" => Some(UnitKind::National),
            "region" => Some(UnitKind::Region),
            "branch" => Some(UnitKind::Branch),
            _ => None,
        }
    }

    /// The kind a child of this unit must be; branches are leaves.
    pub fn child_kind(self) -> Option<UnitKind> {
        match self {
            UnitKind::National => Some(UnitKind::Region),
            UnitKind::Region => Some(UnitKind::Branch),
            UnitKind::Branch => None,
        }
    }
}

/// Parent links for every unit, so scope checks ("is this branch inside my region?")
/// need no database round trip.
#[derive(Debug, Clone, Default)]
pub struct UnitTree {
    parent: HashMap<UnitId, Option<UnitId>>,
    kind: HashMap<UnitId, UnitKind>,
}

impl UnitTree {
    pub fn new(units: impl IntoIterator<Item = (UnitId, Option<UnitId>, UnitKind)>) -> Self {
        let mut tree = UnitTree::default();
        for (id, parent, kind) in units {
            tree.parent.insert(id, parent);
            tree.kind.insert(id, kind);
        }
        tree
    }

    pub fn kind(&self, unit: UnitId) -> Option<UnitKind> {
        self.kind.get(&unit).copied()
    }

    pub fn parent(&self, unit: UnitId) -> Option<UnitId> {
        self.parent.get(&unit).copied().flatten()
    }

    /// True when `inner` is `outer` or lies below it.
    pub fn is_within(&self, inner: UnitId, outer: UnitId) -> bool {
        let mut cur = Some(inner);
        // The depth bound guards against a corrupt cycle turning a check into a hang.
        for _ in 0..=self.parent.len() {
            match cur {
                Some(u) if u == outer => return true,
                Some(u) => cur = self.parent(u),
                None => return false,
            }
        }
        false
    }

    /// All branches at or below `unit`.
    pub fn branches_within(&self, unit: UnitId) -> Vec<UnitId> {
        let mut out: Vec<UnitId> = self
            .kind
            .iter()
            .filter(|(id, k)| **k == UnitKind::Branch && self.is_within(**id, unit))
            .map(|(id, _)| *id)
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_follows_the_tree() {
        let (n, r1, r2, b1, b2) = (UnitId(1), UnitId(2), UnitId(3), UnitId(4), UnitId(5));
        let t = UnitTree::new([
            (n, None, UnitKind::National),
            (r1, Some(n), UnitKind::Region),
            (r2, Some(n), UnitKind::Region),
            (b1, Some(r1), UnitKind::Branch),
            (b2, Some(r2), UnitKind::Branch),
        ]);
        assert!(t.is_within(b1, r1));
        assert!(t.is_within(b1, n));
        assert!(!t.is_within(b1, r2));
        assert!(!t.is_within(r1, b1));
        assert_eq!(t.branches_within(n), vec![b1, b2]);
        assert_eq!(t.branches_within(r2), vec![b2]);
    }
}
