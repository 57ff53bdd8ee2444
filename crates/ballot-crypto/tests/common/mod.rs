//! A whole key ceremony and election, driven as the CLI and server will drive them.
#![allow(dead_code)]

use charter_ballot_crypto::dkg::{
    Dealing, IdentitySecret, TrusteeKey, combine_shares, deal, new_identity, open_share,
};
use charter_ballot_crypto::{
    Board, Choice, Credential, ElectionParams, QuestionKind, decrypt_share, encrypt_ballot,
};
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

pub struct Election {
    pub board: Board,
    pub keys: Vec<TrusteeKey>,
    pub secrets: Vec<IdentitySecret>,
    pub dealings: Vec<Dealing>,
    pub credentials: Vec<Credential>,
}

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

pub fn question(trustees: u32, threshold: u32) -> ElectionParams {
    ElectionParams {
        id: "motion-42".into(),
        kind: QuestionKind::Question,
        options: 3,
        min: 1,
        max: 1,
        trustees,
        threshold,
    }
}

pub fn ranked(candidates: u32, trustees: u32, threshold: u32) -> ElectionParams {
    ElectionParams {
        id: "council-2027".into(),
        kind: QuestionKind::Ranked,
        options: candidates,
        min: 1,
        max: candidates,
        trustees,
        threshold,
    }
}

pub fn ceremony(params: ElectionParams, voters: usize, rng: &mut ChaCha20Rng) -> Election {
    let n = params.trustees;
    let (secrets, identities): (Vec<_>, Vec<_>) = (1..=n)
        .map(|i| new_identity(&params, i, rng).expect("identity"))
        .unzip();
    let dealings: Vec<Dealing> = secrets
        .iter()
        .map(|s| deal(&params, s, &identities, rng).expect("deal"))
        .collect();
    let keys = secrets
        .iter()
        .map(|s| {
            let shares: Vec<_> = dealings
                .iter()
                .map(|d| open_share(&params, s, &identities, d).expect("share"))
                .collect();
            combine_shares(s.index, &shares)
        })
        .collect();
    let credentials: Vec<Credential> = (0..voters).map(|_| Credential::generate(rng)).collect();
    let board = Board::new(
        params,
        identities,
        dealings.iter().map(|d| Some(d.public.clone())).collect(),
        credentials.iter().map(Credential::public).collect(),
    )
    .expect("board");
    Election {
        board,
        keys,
        secrets,
        dealings,
        credentials,
    }
}

impl Election {
    pub fn vote(&mut self, voter: usize, choice: Choice, rng: &mut ChaCha20Rng) -> [u8; 32] {
        let ctx = self.board.context().expect("context");
        let ballot = encrypt_ballot(&ctx, &self.credentials[voter], &choice, rng).expect("encrypt");
        self.board.cast(ballot).expect("cast")
    }

    /// Trustees numbered in `which` (increasing) shuffle in turn, each checking the previous
    /// shuffles first.
    pub fn shuffle(&mut self, which: &[u32], rng: &mut ChaCha20Rng) {
        for &j in which {
            let s = self
                .board
                .next_shuffle(&self.secrets[j as usize - 1], rng)
                .expect("shuffle");
            self.board.add_shuffle(s).expect("add shuffle");
        }
    }

    /// Closes with the trustees numbered in `which`; a ranked board is first shuffled by
    /// every trustee, unless shuffles are already on it.
    pub fn close(&mut self, which: &[u32], rng: &mut ChaCha20Rng) {
        if !self.board.election.kind.is_homomorphic() && self.board.shuffles.is_empty() {
            let all: Vec<u32> = (1..=self.board.election.trustees).collect();
            self.shuffle(&all, rng);
        }
        let ctx = self.board.context().expect("context");
        let rows = self.board.tally_rows().expect("rows");
        let shares = which
            .iter()
            .map(|&j| decrypt_share(&ctx, &self.keys[j as usize - 1], &rows, rng).expect("share"))
            .collect();
        self.board.close(shares).expect("close");
    }
}
