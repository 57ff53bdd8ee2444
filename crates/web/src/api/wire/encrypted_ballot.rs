//! The encrypted ballot a voter's device posts (docs/verifiable-ballots.md, section 5), as
//! [`charter_ballot_crypto::EncryptedBallot`] reads it. That crate is pure and knows nothing
//! of this document, so its shape is described here, for the document only: nothing is read
//! or written through these types. A test holds them to the crate's own ballots.

use utoipa::ToSchema;

/// A ristretto255 point, compressed: 32 bytes in lowercase hex (the example is the group's
/// generator `G`).
#[derive(ToSchema)]
#[schema(as = Point)]
#[schema(
    pattern = r"^[0-9a-f]{64}$",
    example = "e2f2ae0a6abc4e71a884a961c500515f58e30b6aa582dd8db6a65945e08d2d76"
)]
pub struct PointSchema(pub String);

/// A scalar modulo the group order ℓ: 32 bytes, little-endian, in lowercase hex.
#[derive(ToSchema)]
#[schema(as = Scalar)]
#[schema(
    pattern = r"^[0-9a-f]{64}$",
    example = "0100000000000000000000000000000000000000000000000000000000000000"
)]
pub struct ScalarSchema(pub String);

/// An encrypted ballot, signed with the voter's credential: one encrypted entry per option
/// (question, plurality, approval) or per preference position (ranked), each with its proof.
/// A ballot cast carries its credential and signature; the server checks both.
#[derive(ToSchema)]
#[schema(as = EncryptedBallot)]
pub struct EncryptedBallotSchema {
    /// `S`, the voter's public credential, on the ballot's frozen list.
    #[schema(required = false)]
    pub credential: PointSchema,
    /// One entry per option, or per preference position, in order.
    pub choices: Vec<EncryptedChoiceSchema>,
    /// Question, plurality and approval: proof that the number of options chosen is in the
    /// ballot's `min..=max` (`max − min + 1` branches). Absent for a ranked ballot.
    #[schema(required = false)]
    pub overall: RangeProofSchema,
    /// The credential's signature over the ballot's canonical encoding (section 4.4).
    #[schema(required = false)]
    pub signature: SchnorrProofSchema,
}

/// One encrypted entry of a ballot, `(α, β)`, with its proof.
#[derive(ToSchema)]
#[schema(as = EncryptedChoice)]
pub struct EncryptedChoiceSchema {
    /// `α = r·G`.
    pub alpha: PointSchema,
    /// `β = m·G + r·Y`.
    pub beta: PointSchema,
    /// Question, plurality and approval: proof that the entry encrypts 0 or 1 (2 branches).
    #[schema(required = false)]
    pub range: RangeProofSchema,
    /// Ranked: proof of knowledge of the randomness `r` with `α = r·G`.
    #[schema(required = false)]
    pub knowledge: SchnorrProofSchema,
}

/// Proof that a ciphertext encrypts one of the values `lo..=hi` (section 4.2).
#[derive(ToSchema)]
#[schema(as = RangeProof)]
pub struct RangeProofSchema {
    /// Branch `i` is for the value `lo + i`.
    pub branches: Vec<RangeBranchSchema>,
}

/// One branch of a range proof: `s·G = A + c·α` and `s·Y = B + c·(β − j·G)`.
#[derive(ToSchema)]
#[schema(as = RangeBranch)]
pub struct RangeBranchSchema {
    /// `A`.
    pub a: PointSchema,
    /// `B`.
    pub b: PointSchema,
    /// This branch's challenge `c`.
    pub challenge: ScalarSchema,
    /// This branch's response `s`.
    pub response: ScalarSchema,
}

/// A Schnorr proof of knowledge (section 4.3), also the voter's signature (section 4.4):
/// `s·G = A + c·X`.
#[derive(ToSchema)]
#[schema(as = SchnorrProof)]
pub struct SchnorrProofSchema {
    /// `A`.
    pub commitment: PointSchema,
    /// `s`.
    pub response: ScalarSchema,
}

#[cfg(test)]
mod tests {
    use charter_ballot_crypto::proofs::{RangeBranch, RangeProof, SchnorrProof};
    use charter_ballot_crypto::{
        CiphertextBytes, EncryptedBallot, EncryptedChoice, PointBytes, ScalarBytes,
    };
    use serde_json::{Value, json};

    fn document() -> Value {
        serde_json::to_value(crate::api::openapi()).expect("the document")
    }

    /// Where `value` does not fit `schema` of `doc`: a field the schema lacks, a required one
    /// missing, text that is not 32 bytes of hex, and, when `every` is set, a property of the
    /// schema that `value` does not have.
    fn misfits(doc: &Value, schema: &Value, value: &Value, at: &str, every: bool) -> Vec<String> {
        if let Some(name) = schema["$ref"].as_str() {
            let name = name.trim_start_matches("#/components/schemas/");
            return misfits(doc, &doc["components"]["schemas"][name], value, at, every);
        }
        let mut out = Vec::new();
        match (schema["type"].as_str(), value) {
            (Some("object"), Value::Object(fields)) => {
                let properties = schema["properties"].as_object().expect("properties");
                for (name, field) in fields {
                    match properties.get(name) {
                        Some(p) => {
                            out.extend(misfits(doc, p, field, &format!("{at}.{name}"), every))
                        }
                        None => out.push(format!("{at}.{name} is not in the schema")),
                    }
                }
                let required = schema["required"].as_array().cloned().unwrap_or_default();
                for name in properties.keys() {
                    let needed = every || required.iter().any(|r| r == name);
                    if needed && !fields.contains_key(name) {
                        out.push(format!("{at}.{name} is missing"));
                    }
                }
            }
            (Some("array"), Value::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    out.extend(misfits(
                        doc,
                        &schema["items"],
                        item,
                        &format!("{at}[{i}]"),
                        every,
                    ));
                }
            }
            (Some("string"), Value::String(text)) => {
                let hex = text.len() == 64
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
                if !hex || schema["pattern"] != "^[0-9a-f]{64}$" {
                    out.push(format!("{at} is not 32 bytes of hex: {text}"));
                }
            }
            (kind, _) => out.push(format!(
                "{at}: {value} does not fit a schema of type {kind:?}"
            )),
        }
        out
    }

    fn proof(seed: u8) -> SchnorrProof {
        SchnorrProof {
            commitment: PointBytes([seed; 32]),
            response: ScalarBytes([seed + 1; 32]),
        }
    }

    fn range(seed: u8) -> RangeProof {
        let branch = |s: u8| RangeBranch {
            a: PointBytes([s; 32]),
            b: PointBytes([s + 1; 32]),
            challenge: ScalarBytes([s + 2; 32]),
            response: ScalarBytes([s + 3; 32]),
        };
        RangeProof {
            branches: vec![branch(seed), branch(seed + 4)],
        }
    }

    /// The crate's ballot with every field it has, as it writes it, fits the document's
    /// `EncryptedBallot` and has every property the document names; a ballot with only what
    /// the document requires reads back; and the cast's `ballot` is that schema.
    #[test]
    fn the_documented_ballot_is_the_crates_ballot() {
        let doc = document();
        let schema = json!({ "$ref": "#/components/schemas/EncryptedBallot" });
        assert_eq!(
            doc["components"]["schemas"]["EncryptedVoteCast"]["properties"]["ballot"]["$ref"],
            schema["$ref"]
        );

        let choice = |seed: u8| EncryptedChoice {
            ciphertext: CiphertextBytes {
                alpha: PointBytes([seed; 32]),
                beta: PointBytes([seed + 1; 32]),
            },
            range: Some(range(seed + 2)),
            knowledge: Some(proof(seed + 3)),
        };
        let full = EncryptedBallot {
            credential: Some(PointBytes([1; 32])),
            choices: vec![choice(10), choice(30)],
            overall: Some(range(50)),
            signature: Some(proof(70)),
        };
        let written = serde_json::to_value(&full).expect("the ballot as JSON");
        let wrong = misfits(&doc, &schema, &written, "ballot", true);
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));

        let point = "ab".repeat(32);
        let least = json!({ "choices": [{ "alpha": point, "beta": point }] });
        let wrong = misfits(&doc, &schema, &least, "ballot", false);
        assert!(wrong.is_empty(), "{}", wrong.join("\n"));
        let read: EncryptedBallot = serde_json::from_value(least).expect("reads");
        assert_eq!(read.choices.len(), 1);
        assert!(read.credential.is_none() && read.signature.is_none());
    }
}
