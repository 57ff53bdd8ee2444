//! Election parameters and the setup fingerprint that binds the key ceremony to them.

use crate::encoding::{Transcript, tags};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Largest number of options or candidates: keeps proofs and decryption tables small.
pub const MAX_OPTIONS: u32 = 1000;
/// Largest number of trustees.
pub const MAX_TRUSTEES: u32 = 100;

/// What the voter is asked and how the ballot is encrypted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QuestionKind {
    /// A motion's question: Yes/No/Abstain, exactly one (3 options, min = max = 1).
    Question,
    /// Choose between `min` and `max` options (usually exactly one).
    Plurality,
    /// Approve any number of options between `min` and `max`.
    Approval,
    /// Rank candidates (STV, IRV, Schulze); `min`..=`max` preferences.
    Ranked,
}

impl QuestionKind {
    /// The name used in JSON and in the fingerprint.
    pub fn name(self) -> &'static str {
        match self {
            Self::Question => "question",
            Self::Plurality => "plurality",
            Self::Approval => "approval",
            Self::Ranked => "ranked",
        }
    }

    /// Whether ballots are summed homomorphically (one 0/1 ciphertext per option).
    pub fn is_homomorphic(self) -> bool {
        !matches!(self, Self::Ranked)
    }
}

/// Everything that fixes an election before its key ceremony.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ElectionParams {
    /// The ballot's identifier in Charter (any UTF-8 text).
    pub id: String,
    /// The kind of question.
    pub kind: QuestionKind,
    /// Number of options (or candidates).
    pub options: u32,
    /// Fewest options chosen (ranked: fewest preferences).
    pub min: u32,
    /// Most options chosen (ranked: most preferences).
    pub max: u32,
    /// Number of trustees `n`, numbered `1..=n`.
    pub trustees: u32,
    /// Number of trustees `t` needed to decrypt.
    pub threshold: u32,
}

impl ElectionParams {
    /// Refuses parameters that make no sense.
    pub fn validate(&self) -> Result<()> {
        let fail = |why: &str| Err(Error::Params(why.into()));
        if self.options == 0 || self.options > MAX_OPTIONS {
            return fail("options must be between 1 and 1000");
        }
        if self.min > self.max || self.max > self.options {
            return fail("need min <= max <= options");
        }
        match self.kind {
            QuestionKind::Question if (self.options, self.min, self.max) != (3, 1, 1) => {
                return fail(
                    "a question has 3 options (yes, no, abstain) and exactly one is chosen",
                );
            }
            QuestionKind::Plurality | QuestionKind::Ranked if self.options < 2 => {
                return fail("need at least 2 options");
            }
            QuestionKind::Plurality if self.max == 0 => {
                return fail("plurality needs max >= 1");
            }
            _ => {}
        }
        if self.trustees == 0 || self.trustees > MAX_TRUSTEES {
            return fail("trustees must be between 1 and 100");
        }
        if self.threshold == 0 || self.threshold > self.trustees {
            return fail("need 1 <= threshold <= trustees");
        }
        Ok(())
    }

    /// `SHA-256(enc("charter/v1/setup", [id, kind, options, min, max, trustees, threshold]))`,
    /// integers as u64be parts. Binds the key ceremony to the parameters.
    pub fn setup_fingerprint(&self) -> [u8; 32] {
        let mut t = Transcript::new(tags::SETUP);
        t.part(self.id.as_bytes())
            .part(self.kind.name().as_bytes())
            .u64(self.options.into())
            .u64(self.min.into())
            .u64(self.max.into())
            .u64(self.trustees.into())
            .u64(self.threshold.into());
        t.sha256()
    }

    /// Number of ciphertexts in a ballot.
    pub fn ciphertexts(&self) -> usize {
        self.options as usize
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(crate) fn question() -> ElectionParams {
        ElectionParams {
            id: "b1".into(),
            kind: QuestionKind::Question,
            options: 3,
            min: 1,
            max: 1,
            trustees: 3,
            threshold: 2,
        }
    }

    #[test]
    fn validation() {
        assert!(question().validate().is_ok());
        let mut p = question();
        p.max = 2;
        assert!(p.validate().is_err());
        let mut p = question();
        p.threshold = 4;
        assert!(p.validate().is_err());
        let p = ElectionParams {
            kind: QuestionKind::Ranked,
            options: 10,
            min: 0,
            max: 10,
            ..question()
        };
        assert!(p.validate().is_ok());
    }

    #[test]
    fn fingerprint_depends_on_every_field() {
        let base = question().setup_fingerprint();
        let mut p = question();
        p.id = "b2".into();
        assert_ne!(p.setup_fingerprint(), base);
        let mut p = question();
        p.threshold = 3;
        assert_ne!(p.setup_fingerprint(), base);
    }
}
