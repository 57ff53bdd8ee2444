//! A small key ceremony for unit tests.

use crate::ballot::Credential;
use crate::board::Board;
use crate::dkg::{IdentitySecret, TrusteeKey, combine_shares, deal, new_identity, open_share};
use crate::params::ElectionParams;
use crate::tally::decrypt_share;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;

pub(crate) struct Setup {
    pub board: Board,
    pub secrets: Vec<IdentitySecret>,
    pub keys: Vec<TrusteeKey>,
    pub credentials: Vec<Credential>,
    pub rng: ChaCha20Rng,
}

pub(crate) fn setup(params: ElectionParams, voters: usize, seed: u64) -> Setup {
    let mut rng = ChaCha20Rng::seed_from_u64(seed);
    let (secrets, ids): (Vec<_>, Vec<_>) = (1..=params.trustees)
        .map(|i| new_identity(&params, i, &mut rng).expect("identity"))
        .unzip();
    let dealings: Vec<_> = secrets
        .iter()
        .map(|s| deal(&params, s, &ids, &mut rng).expect("deal"))
        .collect();
    let keys = secrets
        .iter()
        .map(|s| {
            let shares: Vec<_> = dealings
                .iter()
                .map(|d| open_share(&params, s, &ids, d).expect("share"))
                .collect();
            combine_shares(s.index, &shares)
        })
        .collect();
    let credentials: Vec<_> = (0..voters)
        .map(|_| Credential::generate(&mut rng))
        .collect();
    let board = Board::new(
        params,
        ids,
        dealings.iter().map(|d| Some(d.public.clone())).collect(),
        credentials.iter().map(Credential::public).collect(),
    )
    .expect("board");
    Setup {
        board,
        secrets,
        keys,
        credentials,
        rng,
    }
}

impl Setup {
    /// Every trustee shuffles in turn (ranked boards).
    pub fn shuffle_all(&mut self) {
        for secret in &self.secrets {
            let s = self
                .board
                .next_shuffle(secret, &mut self.rng)
                .expect("shuffle");
            self.board.add_shuffle(s).expect("add shuffle");
        }
    }

    /// Closes with trustees `which` (0-based), shuffling first if the board is ranked.
    pub fn close(&mut self, which: &[usize]) {
        if !self.board.election.kind.is_homomorphic() && self.board.shuffles.is_empty() {
            self.shuffle_all();
        }
        let ctx = self.board.context().expect("ctx");
        let rows = self.board.tally_rows().expect("rows");
        let shares = which
            .iter()
            .map(|&i| decrypt_share(&ctx, &self.keys[i], &rows, &mut self.rng).expect("share"))
            .collect();
        self.board.close(shares).expect("close");
    }
}
