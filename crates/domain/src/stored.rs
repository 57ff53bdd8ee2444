//! Closed sets of words kept as text in the database (states, kinds): each an enum with its
//! stored word, read back only through `parse`, so a misspelt state does not compile.

/// Declares a `Copy` enum whose variants are stored as the given words, with `ALL`, `as_str`,
/// `parse` (trimmed; `None` for any other word) and `Display` (the word). There is no
/// comparison with a string: code compares variants, so a misspelt state does not compile.
macro_rules! stored_words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident => $word:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The word the database keeps.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// Reads a word as stored; `None` for anything else.
            pub fn parse(raw: &str) -> Option<Self> {
                let s = raw.trim();
                Self::ALL.iter().copied().find(|v| v.as_str() == s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use stored_words;
