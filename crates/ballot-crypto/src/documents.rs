//! The small documents the parties exchange before the board exists: the published setup,
//! a trustee's report at the end of the key ceremony (or its complaints), and the frozen list
//! of public credentials. Files or HTTP carry them unchanged.

use crate::dkg::{
    Complaint, Dealing, IdentitySecret, PublicDealing, TrusteeIdentity, TrusteeKey, election_key,
    verification_keys, verify_public_dealing,
};
use crate::encoding::{PointBytes, hex32};
use crate::error::{Error, Result};
use crate::params::ElectionParams;
use curve25519_dalek::ristretto::RistrettoPoint;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// The election's parameters as published before the key ceremony, with their fingerprint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Setup {
    /// The election parameters.
    pub election: ElectionParams,
    /// [`ElectionParams::setup_fingerprint`] of `election`.
    #[serde(with = "hex32")]
    pub setup_fingerprint: [u8; 32],
}

impl Setup {
    /// The setup of valid parameters.
    pub fn new(election: ElectionParams) -> Result<Self> {
        election.validate()?;
        Ok(Self {
            setup_fingerprint: election.setup_fingerprint(),
            election,
        })
    }

    /// Checks the parameters and that the fingerprint is theirs; returns the parameters.
    pub fn check(&self) -> Result<&ElectionParams> {
        self.election.validate()?;
        if self.setup_fingerprint != self.election.setup_fingerprint() {
            return Err(Error::Malformed(
                "the setup fingerprint does not match the election parameters".into(),
            ));
        }
        Ok(&self.election)
    }
}

/// What a trustee computed at the end of the key ceremony, published so that every trustee
/// (and the server) can check they all agree.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyReport {
    /// The reporting trustee `j`.
    pub trustee: u32,
    /// The setup fingerprint of the election.
    #[serde(with = "hex32")]
    pub setup_fingerprint: [u8; 32],
    /// The dealers whose dealings were used, in increasing order.
    pub qualified: Vec<u32>,
    /// The election public key `Y`.
    pub election_key: PointBytes,
    /// `VK_1 … VK_n`; the trustee checked that its own is `x_j·G`.
    pub verification_keys: Vec<PointBytes>,
}

/// A trustee's answer at the end of the key ceremony.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Finished {
    /// Every share was good: the keys the trustee computed.
    Key(KeyReport),
    /// At least one share was bad: one complaint per dealer at fault.
    Complaints {
        /// The complaints, by dealer.
        complaints: Vec<Complaint>,
    },
}

/// Puts the qualified dealings in one slot per trustee (`None` for a dealer left out), as
/// [`crate::Board::new`] takes them. Refuses a dealer numbered outside `1..=n` or listed twice.
pub fn dealing_slots(
    params: &ElectionParams,
    dealings: &[Dealing],
) -> Result<Vec<Option<PublicDealing>>> {
    let mut slots = vec![None; params.trustees as usize];
    for d in dealings {
        let slot = d
            .dealer
            .checked_sub(1)
            .and_then(|i| slots.get_mut(i as usize))
            .ok_or_else(|| {
                Error::Malformed(format!(
                    "dealing from trustee {}, not in 1..={}",
                    d.dealer, params.trustees
                ))
            })?;
        if slot.is_some() {
            return Err(Error::Malformed(format!(
                "two dealings from trustee {}",
                d.dealer
            )));
        }
        *slot = Some(d.public.clone());
    }
    Ok(slots)
}

/// The report of trustee `key.index` once its key share is computed from `qualified`: checks
/// the dealings' public parts, computes `Y` and the verification keys, and refuses a key
/// share that does not match its verification key.
pub fn key_report(
    params: &ElectionParams,
    identities: &[TrusteeIdentity],
    qualified: &[Dealing],
    key: &TrusteeKey,
) -> Result<KeyReport> {
    crate::dkg::verify_identities(params, identities)?;
    let slots = dealing_slots(params, qualified)?;
    let mut commitments = Vec::new();
    let mut dealers = Vec::new();
    for (i, slot) in slots.iter().enumerate() {
        if let Some(public) = slot {
            let dealer = i as u32 + 1;
            commitments.push(verify_public_dealing(params, dealer, public)?);
            dealers.push(dealer);
        }
    }
    if commitments.is_empty() {
        return Err(Error::Malformed("no qualified dealer".into()));
    }
    let vks = verification_keys(params.trustees, &commitments);
    let x = key.share.decode("key share")?;
    let own = key
        .index
        .checked_sub(1)
        .and_then(|i| vks.get(i as usize))
        .ok_or_else(|| Error::Malformed(format!("no trustee {}", key.index)))?;
    if RistrettoPoint::mul_base(&x) != *own {
        return Err(Error::Malformed(format!(
            "trustee {}'s key share does not match its verification key",
            key.index
        )));
    }
    Ok(KeyReport {
        trustee: key.index,
        setup_fingerprint: params.setup_fingerprint(),
        qualified: dealers,
        election_key: PointBytes::from_point(&election_key(&commitments)),
        verification_keys: vks.iter().map(PointBytes::from_point).collect(),
    })
}

/// The public identity key `Z = z·G` of an identity secret.
pub fn identity_key(secret: &IdentitySecret) -> Result<PointBytes> {
    let z = secret.secret.decode("identity secret")?;
    Ok(PointBytes::from_point(&RistrettoPoint::mul_base(&z)))
}

/// The verification key `VK_j = x_j·G` of a key share.
pub fn verification_key(key: &TrusteeKey) -> Result<PointBytes> {
    let x = key.share.decode("key share")?;
    Ok(PointBytes::from_point(&RistrettoPoint::mul_base(&x)))
}

/// The frozen public list of credentials, sorted so that it reveals nothing of the roll's
/// order, made by the credential authority.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialList {
    /// The setup fingerprint of the election the credentials are for.
    #[serde(with = "hex32")]
    pub setup_fingerprint: [u8; 32],
    /// The public credentials `S = s·G`, in increasing byte order, each once.
    pub credentials: Vec<PointBytes>,
}

impl CredentialList {
    /// Sorts the credentials; refuses invalid points and repeats.
    pub fn new(setup: &Setup, mut credentials: Vec<PointBytes>) -> Result<Self> {
        credentials.sort_unstable();
        let list = Self {
            setup_fingerprint: setup.setup_fingerprint,
            credentials,
        };
        list.check(setup)?;
        Ok(list)
    }

    /// Checks that the list is for this setup, sorted, without repeats, of valid points.
    pub fn check(&self, setup: &Setup) -> Result<()> {
        if self.setup_fingerprint != setup.setup_fingerprint {
            return Err(Error::Malformed(
                "the credential list is for another election".into(),
            ));
        }
        let mut seen = HashSet::with_capacity(self.credentials.len());
        for (i, c) in self.credentials.iter().enumerate() {
            c.decode_key("credential")?;
            if !seen.insert(*c) {
                return Err(Error::Malformed(format!("credential {i} is listed twice")));
            }
        }
        if !self.credentials.is_sorted() {
            return Err(Error::Malformed("the credentials are not sorted".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ballot::Credential;
    use crate::dkg::{deal, finish_key, new_identity};
    use crate::params::QuestionKind;
    use rand::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn params() -> ElectionParams {
        ElectionParams {
            id: "b7".into(),
            kind: QuestionKind::Question,
            options: 3,
            min: 1,
            max: 1,
            trustees: 3,
            threshold: 2,
        }
    }

    #[test]
    fn setup_round_trips_and_refuses_a_wrong_fingerprint() {
        let setup = Setup::new(params()).unwrap();
        let json = serde_json::to_string(&setup).unwrap();
        let back: Setup = serde_json::from_str(&json).unwrap();
        assert_eq!(back.check().unwrap(), &params());
        let mut wrong = back;
        wrong.election.threshold = 3;
        assert!(wrong.check().is_err());
    }

    #[test]
    fn every_trustee_reports_the_same_keys() {
        let mut rng = ChaCha20Rng::seed_from_u64(11);
        let p = params();
        let (secrets, ids): (Vec<_>, Vec<_>) = (1..=3)
            .map(|i| new_identity(&p, i, &mut rng).unwrap())
            .unzip();
        let dealings: Vec<_> = secrets
            .iter()
            .map(|s| deal(&p, s, &ids, &mut rng).unwrap())
            .collect();
        let refs: Vec<&Dealing> = dealings.iter().collect();
        let reports: Vec<_> = secrets
            .iter()
            .map(|s| {
                let key = finish_key(&p, s, &ids, &refs).unwrap();
                key_report(&p, &ids, &dealings, &key).unwrap()
            })
            .collect();
        assert_eq!(reports[0].qualified, vec![1, 2, 3]);
        assert_eq!(identity_key(&secrets[1]).unwrap(), ids[1].key);
        let key = finish_key(&p, &secrets[1], &ids, &refs).unwrap();
        assert_eq!(
            verification_key(&key).unwrap(),
            reports[0].verification_keys[1]
        );
        assert_eq!(reports[0].election_key, reports[2].election_key);
        assert_eq!(reports[1].verification_keys, reports[2].verification_keys);
        let json = serde_json::to_string(&Finished::Key(reports[0].clone())).unwrap();
        assert!(json.contains("\"outcome\":\"key\""), "{json}");

        // A key share for another trustee's slot is refused.
        let mut key = finish_key(&p, &secrets[0], &ids, &refs).unwrap();
        key.index = 2;
        assert!(key_report(&p, &ids, &dealings, &key).is_err());
        // The same dealer twice is refused.
        let twice = vec![dealings[0].clone(), dealings[0].clone()];
        assert!(dealing_slots(&p, &twice).is_err());
    }

    #[test]
    fn credential_lists_are_sorted_and_checked() {
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let setup = Setup::new(params()).unwrap();
        let creds: Vec<_> = (0..5)
            .map(|_| Credential::generate(&mut rng).public())
            .collect();
        let list = CredentialList::new(&setup, creds.clone()).unwrap();
        assert!(list.credentials.is_sorted());
        let mut repeated = creds.clone();
        repeated.push(creds[0]);
        assert!(CredentialList::new(&setup, repeated).is_err());
        let mut unsorted = list.clone();
        unsorted.credentials.reverse();
        assert!(unsorted.check(&setup).is_err());
        let other = Setup::new(ElectionParams {
            id: "b8".into(),
            ..params()
        })
        .unwrap();
        assert!(list.check(&other).is_err());
    }
}
