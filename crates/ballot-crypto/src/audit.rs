//! Benaloh's challenge ("check this ballot"): before casting, a voter may ask their device to
//! reveal the randomness of a freshly encrypted ballot together with the choice it claims to
//! encrypt. Anyone (another device, a verifier) then recomputes every ciphertext and compares.
//! A device that encrypted something else is caught; since the device cannot know in advance
//! which ballots will be audited, cheating on the cast ones is a gamble. An audited ballot has
//! its secrecy given away and is never cast: the voter encrypts afresh.
//!
//! See section 4.6 of docs/verifiable-ballots.md.

use crate::ballot::{Choice, ElectionContext, EncryptedBallot, plaintext_entries};
use crate::elgamal::Ciphertext;
use crate::encoding::ScalarBytes;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// What a device reveals about a ballot it will not cast: the choice in the clear and the
/// randomness `r_k` of each ciphertext, in entry order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BallotReveal {
    /// The choice the ballot claims to encrypt.
    pub choice: Choice,
    /// `r_k` with `α_k = r_k·G`, one per entry.
    pub randomness: Vec<ScalarBytes>,
}

/// Confirms that `ballot` encrypts `reveal.choice` with `reveal.randomness`: for every entry
/// `k` with plaintext `m_k` (section 5), `(α_k, β_k) = (r_k·G, m_k·G + r_k·Y)` byte for byte.
/// Proofs and signature are not checked here (that is [`crate::verify_ballot`]'s job); a
/// ballot that passes this check must still never be cast.
pub fn audit_ballot(
    ctx: &ElectionContext,
    ballot: &EncryptedBallot,
    reveal: &BallotReveal,
) -> Result<()> {
    let values = plaintext_entries(&ctx.params, &reveal.choice)?;
    if ballot.choices.len() != values.len() {
        return Err(Error::Malformed(format!(
            "ballot has {} entries, expected {}",
            ballot.choices.len(),
            values.len()
        )));
    }
    if reveal.randomness.len() != values.len() {
        return Err(Error::Malformed(format!(
            "{} randomness values revealed, expected {}",
            reveal.randomness.len(),
            values.len()
        )));
    }
    for (k, ((entry, &m), r)) in ballot
        .choices
        .iter()
        .zip(&values)
        .zip(&reveal.randomness)
        .enumerate()
    {
        let r = r.decode("revealed randomness")?;
        if Ciphertext::encrypt(&ctx.public_key, m, &r).to_bytes() != entry.ciphertext {
            return Err(Error::Proof(format!(
                "audit: entry {k} is not the encryption of the claimed choice"
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::{encrypt_ballot_with_randomness, verify_ballot};
    use crate::params::{ElectionParams, QuestionKind};
    use crate::testing::setup;
    use curve25519_dalek::scalar::Scalar;

    fn params(kind: QuestionKind) -> ElectionParams {
        let (options, min, max) = match kind {
            QuestionKind::Question => (3, 1, 1),
            QuestionKind::Plurality => (4, 1, 1),
            QuestionKind::Approval => (5, 0, 5),
            QuestionKind::Ranked => (4, 1, 4),
        };
        ElectionParams {
            id: "audit".into(),
            kind,
            options,
            min,
            max,
            trustees: 2,
            threshold: 1,
        }
    }

    fn choice(kind: QuestionKind) -> Choice {
        match kind {
            QuestionKind::Question => Choice::Options(vec![2]),
            QuestionKind::Plurality => Choice::Options(vec![1]),
            QuestionKind::Approval => Choice::Options(vec![0, 3]),
            QuestionKind::Ranked => Choice::Ranking(vec![2, 0]),
        }
    }

    #[test]
    fn an_honest_reveal_passes_for_every_kind() {
        for kind in [
            QuestionKind::Question,
            QuestionKind::Plurality,
            QuestionKind::Approval,
            QuestionKind::Ranked,
        ] {
            let mut s = setup(params(kind), 1, 7);
            let ctx = s.board.context().unwrap();
            let (ballot, randomness) =
                encrypt_ballot_with_randomness(&ctx, &s.credentials[0], &choice(kind), &mut s.rng)
                    .unwrap();
            assert!(verify_ballot(&ctx, &ballot).is_ok(), "{kind:?}");
            let reveal = BallotReveal {
                choice: choice(kind),
                randomness,
            };
            assert_eq!(audit_ballot(&ctx, &ballot, &reveal), Ok(()), "{kind:?}");
        }
    }

    #[test]
    fn a_wrong_claim_or_wrong_randomness_is_refused() {
        let kind = QuestionKind::Approval;
        let mut s = setup(params(kind), 1, 8);
        let ctx = s.board.context().unwrap();
        let (ballot, randomness) =
            encrypt_ballot_with_randomness(&ctx, &s.credentials[0], &choice(kind), &mut s.rng)
                .unwrap();
        let honest = BallotReveal {
            choice: choice(kind),
            randomness,
        };

        // The device claims another choice than the one it encrypted.
        let lie = BallotReveal {
            choice: Choice::Options(vec![0, 2]),
            ..honest.clone()
        };
        assert!(matches!(
            audit_ballot(&ctx, &ballot, &lie),
            Err(Error::Proof(m)) if m.contains("entry 2")
        ));

        // Randomness of another entry.
        let mut swapped = honest.clone();
        swapped.randomness.swap(0, 1);
        assert!(matches!(
            audit_ballot(&ctx, &ballot, &swapped),
            Err(Error::Proof(_))
        ));

        // Too little randomness, or a non-canonical scalar.
        let mut short = honest.clone();
        short.randomness.pop();
        assert!(matches!(
            audit_ballot(&ctx, &ballot, &short),
            Err(Error::Malformed(_))
        ));
        let mut bad = honest.clone();
        bad.randomness[0] = ScalarBytes([0xff; 32]);
        assert_eq!(
            audit_ballot(&ctx, &ballot, &bad),
            Err(Error::InvalidScalar("revealed randomness"))
        );

        // A claim the question does not allow, or of the other kind.
        let too_many = BallotReveal {
            choice: Choice::Options(vec![0, 1, 2, 3, 4, 5]),
            ..honest.clone()
        };
        assert!(matches!(
            audit_ballot(&ctx, &ballot, &too_many),
            Err(Error::Choice(_))
        ));
        let ranked = BallotReveal {
            choice: Choice::Ranking(vec![0, 3]),
            ..honest.clone()
        };
        assert!(matches!(
            audit_ballot(&ctx, &ballot, &ranked),
            Err(Error::Choice(_))
        ));

        // A ballot with its ciphertexts changed (zero randomness for entry 0).
        let mut edited = ballot.clone();
        edited.choices[0].ciphertext =
            Ciphertext::encrypt(&ctx.public_key, 1, &Scalar::ZERO).to_bytes();
        assert!(matches!(
            audit_ballot(&ctx, &edited, &honest),
            Err(Error::Proof(m)) if m.contains("entry 0")
        ));
        assert_eq!(audit_ballot(&ctx, &ballot, &honest), Ok(()));
    }

    #[test]
    fn the_reveal_reads_and_writes_json() {
        let reveal = BallotReveal {
            choice: Choice::Ranking(vec![1, 0]),
            randomness: vec![ScalarBytes([1; 32])],
        };
        let json = serde_json::to_value(&reveal).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"choice": {"ranking": [1, 0]}, "randomness": ["01".repeat(32)]})
        );
        assert_eq!(
            serde_json::from_value::<BallotReveal>(json).unwrap(),
            reveal
        );
    }
}
