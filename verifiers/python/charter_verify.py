#!/usr/bin/env python3
"""Independent verifier of a Charter bulletin board (board format 1).

Written from the specification in docs/verifiable-ballots.md, section 8, one function per
numbered step (section 7 for the shuffles of ranked ballots). It shares no code with the Rust
verifier: the group operations come from libsodium's ristretto255 (loaded with ctypes),
everything else is the standard library.

    python3 charter_verify.py BOARD.json

prints "ok: N ballots verified" and exits 0, or prints "step K: reason" for the first step
that fails and exits 1. Exit status 2 means the verifier could not run (no libsodium with
ristretto255 or with a from_hash that does not give the spec's generators, unreadable
file, not JSON).
"""

import ctypes
import ctypes.util
import hashlib
import json
import sys

# ------------------------------------------------------------------------------------------
# Group: ristretto255 through libsodium.

L = 2**252 + 27742317777372353535851937790883648493
IDENTITY = bytes(32)


class Unavailable(Exception):
    """libsodium (with ristretto255, 1.0.18 or later) cannot be loaded."""


def _load_sodium():
    names = []
    found = ctypes.util.find_library("sodium")
    if found:
        names.append(found)
    names += ["libsodium.so.23", "libsodium.so.26", "libsodium.so", "libsodium.dylib",
              "libsodium.23.dylib", "libsodium.26.dylib", "libsodium.dll"]
    for name in names:
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        if not hasattr(lib, "crypto_core_ristretto255_add"):
            continue
        if lib.sodium_init() < 0:
            continue
        arity = {"crypto_core_ristretto255_is_valid_point": 1,
                 "crypto_core_ristretto255_from_hash": 2,
                 "crypto_core_ristretto255_add": 3, "crypto_core_ristretto255_sub": 3,
                 "crypto_scalarmult_ristretto255": 3, "crypto_scalarmult_ristretto255_base": 2}
        for fn, n in arity.items():
            getattr(lib, fn).restype = ctypes.c_int
            getattr(lib, fn).argtypes = [ctypes.c_char_p] * n
        return lib
    raise Unavailable("libsodium with ristretto255 (1.0.18 or later) not found; "
                      "install libsodium (Debian: libsodium23)")


_sodium = None


def sodium():
    global _sodium
    if _sodium is None:
        _sodium = _load_sodium()
    return _sodium


def is_point(b):
    """True when `b` is a canonical ristretto255 encoding (the identity included)."""
    return len(b) == 32 and sodium().crypto_core_ristretto255_is_valid_point(b) == 1


def add(p, q):
    out = ctypes.create_string_buffer(32)
    if sodium().crypto_core_ristretto255_add(out, p, q) != 0:
        raise ValueError("point addition on an invalid point")
    return out.raw


def sub(p, q):
    out = ctypes.create_string_buffer(32)
    if sodium().crypto_core_ristretto255_sub(out, p, q) != 0:
        raise ValueError("point subtraction on an invalid point")
    return out.raw


def mul(k, p):
    """k·P for an integer k. libsodium refuses an identity result, so zero scalars and the
    identity point are handled here; in a prime-order group no other product is the identity."""
    k %= L
    if k == 0 or p == IDENTITY:
        return IDENTITY
    out = ctypes.create_string_buffer(32)
    if sodium().crypto_scalarmult_ristretto255(out, k.to_bytes(32, "little"), p) != 0:
        if not is_point(p):
            raise ValueError("scalar multiplication of an invalid point")
        return IDENTITY
    return out.raw


def mul_base(k):
    k %= L
    if k == 0:
        return IDENTITY
    out = ctypes.create_string_buffer(32)
    if sodium().crypto_scalarmult_ristretto255_base(out, k.to_bytes(32, "little")) != 0:
        return IDENTITY
    return out.raw


def from_hash(h):
    """The one-way map of RFC 9496 (section 4.3.4) from 64 bytes to a point."""
    out = ctypes.create_string_buffer(32)
    if len(h) != 64 or sodium().crypto_core_ristretto255_from_hash(out, h) != 0:
        raise ValueError("from_hash needs 64 bytes")
    return out.raw


def point_sum(points):
    acc = IDENTITY
    for p in points:
        acc = add(acc, p)
    return acc


def lincomb(terms):
    """Σ k·P over (k, P) pairs."""
    return point_sum(mul(k, p) for k, p in terms)


# ------------------------------------------------------------------------------------------
# Encodings (spec section 1).

def u64be(n):
    return n.to_bytes(8, "big")


def enc(tag, parts):
    out = [u64be(len(tag)), tag.encode("ascii")]
    for p in parts:
        out.append(u64be(len(p)))
        out.append(p)
    return b"".join(out)


def hash_scalar(tag, parts):
    return int.from_bytes(hashlib.sha512(enc(tag, parts)).digest(), "little") % L


def digest(tag, parts):
    return hashlib.sha256(enc(tag, parts)).digest()


# ------------------------------------------------------------------------------------------
# Independent generators of the shuffle proof (spec section 7.1).

_generators = []


def generator(i):
    """H_i, hashed to a point; computed once and kept."""
    while len(_generators) <= i:
        n = len(_generators)
        h = hashlib.sha512(enc("charter/v1/shuffle/generator", [u64be(n)])).digest()
        _generators.append(from_hash(h))
    return _generators[i]


def chain_generator():
    """Ĥ, the start of the commitment chain."""
    return from_hash(hashlib.sha512(enc("charter/v1/shuffle/chain", [])).digest())


# The check values that section 7.1 quotes.
GENERATOR_CHECK_VALUES = [
    ("H_0", lambda: generator(0),
     "ba77a97fb5b33cc84684fcbfdbdf99b01c899f8ed5f582f7205a587af547d45b"),
    ("H_1", lambda: generator(1),
     "e83067113eddbfda76a6faf10ba581bb7e90c05f6e9b109bb9c101ea1d3ae017"),
    ("Ĥ", chain_generator,
     "802e6bc0196fd32e4845cb8cdf1426c333dd41c4170af0acfe6c3bc5b706ff0e"),
]


def check_generators():
    """Raises Unavailable unless this libsodium derives the generators the spec quotes."""
    for name, point, expected in GENERATOR_CHECK_VALUES:
        if point().hex() != expected:
            raise Unavailable(f"libsodium's from_hash gives {name} = {point().hex()}, "
                              f"not the value of the specification ({expected})")


# ------------------------------------------------------------------------------------------
# Reading the board. Every reader raises Fail with the step being run.

class Fail(Exception):
    def __init__(self, step, reason):
        super().__init__(reason)
        self.step = step
        self.reason = reason


class Reader:
    """Decodes board values for one step, failing that step on anything malformed."""

    HEX = set("0123456789abcdef")

    def __init__(self, step):
        self.step = step

    def fail(self, reason):
        raise Fail(self.step, reason)

    def field(self, obj, key, what):
        if not isinstance(obj, dict) or key not in obj or obj[key] is None:
            self.fail(f"{what}: missing {key}")
        return obj[key]

    def optional(self, obj, key):
        if not isinstance(obj, dict):
            return None
        return obj.get(key)

    def list(self, value, what):
        if not isinstance(value, list):
            self.fail(f"{what} is not a list")
        return value

    def int(self, value, what):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            self.fail(f"{what} is not a non-negative integer")
        return value

    def bytes32(self, value, what):
        if not isinstance(value, str) or len(value) != 64 or not set(value) <= self.HEX:
            self.fail(f"{what} is not 64 lowercase hex digits")
        return bytes.fromhex(value)

    def point(self, value, what, nonzero=False):
        b = self.bytes32(value, what)
        if not is_point(b):
            self.fail(f"{what} is not a canonical ristretto255 point")
        if nonzero and b == IDENTITY:
            self.fail(f"{what} is the identity")
        return b

    def scalar(self, value, what):
        n = int.from_bytes(self.bytes32(value, what), "little")
        if n >= L:
            self.fail(f"{what} is not a canonical scalar")
        return n


def scalar_bytes(n):
    return n.to_bytes(32, "little")


# ------------------------------------------------------------------------------------------
# State shared by the steps.

HOMOMORPHIC = ("question", "plurality", "approval")
KINDS = HOMOMORPHIC + ("ranked",)


class Board:
    def __init__(self, data):
        self.data = data
        # Filled in by the steps, in order.
        self.params = None
        self.setup_fp = None
        self.fp = None
        self.credentials = None
        self.dealings = None        # trustee index -> list of commitment points, or None
        self.public_key = None
        self.vks = None             # trustee index -> verification key
        self.ballots = None         # decoded ballots in board order
        self.counted = None         # decoded ballots that count, in board order
        self.identities = None      # trustee index -> identity key
        self.shuffled = None        # ranked: the last shuffle's output rows, if any
        self.tally_rows = None
        self.shares = None          # trustee index -> rows of decryption factors
        self.plaintexts = None

    @property
    def ranked(self):
        return self.params["kind"] == "ranked"

    @property
    def closed(self):
        return self.data.get("tally") is not None


# ------------------------------------------------------------------------------------------
# Step 1: parameters and fingerprints.

def setup_fingerprint(p):
    return digest("charter/v1/setup", [
        p["id"].encode("utf-8"), p["kind"].encode("utf-8"), u64be(p["options"]),
        u64be(p["min"]), u64be(p["max"]), u64be(p["trustees"]), u64be(p["threshold"])])


def step1_parameters(board):
    r = Reader(1)
    d = board.data
    if d.get("version") != 1 or isinstance(d.get("version"), bool):
        r.fail("board version is not 1")
    e = r.field(d, "election", "board")
    p = {}
    if not isinstance(e.get("id") if isinstance(e, dict) else None, str):
        r.fail("election id is not text")
    p["id"] = e["id"]
    p["kind"] = r.field(e, "kind", "election")
    if p["kind"] not in KINDS:
        r.fail(f"unknown kind {p['kind']!r}")
    for k in ("options", "min", "max", "trustees", "threshold"):
        p[k] = r.int(r.field(e, k, "election"), f"election {k}")
        if p[k] >= 2**32:
            r.fail(f"election {k} is too large")
    if not 1 <= p["options"] <= 1000:
        r.fail("options must be between 1 and 1000")
    if not p["min"] <= p["max"] <= p["options"]:
        r.fail("need min <= max <= options")
    if p["kind"] == "question" and (p["options"], p["min"], p["max"]) != (3, 1, 1):
        r.fail("a question has 3 options and exactly one is chosen")
    if p["kind"] in ("plurality", "ranked") and p["options"] < 2:
        r.fail("need at least 2 options")
    if p["kind"] == "plurality" and p["max"] < 1:
        r.fail("plurality needs max >= 1")
    if not 1 <= p["trustees"] <= 100:
        r.fail("trustees must be between 1 and 100")
    if not 1 <= p["threshold"] <= p["trustees"]:
        r.fail("need 1 <= threshold <= trustees")
    board.params = p

    board.setup_fp = setup_fingerprint(p)
    if r.bytes32(r.field(d, "setup_fingerprint", "board"), "setup fingerprint") != board.setup_fp:
        r.fail("setup fingerprint does not match the parameters")

    trustees = r.list(r.field(d, "trustees", "board"), "trustees")
    if len(trustees) != p["trustees"]:
        r.fail(f"{len(trustees)} trustees on the board, {p['trustees']} expected")
    parts = [board.setup_fp, u64be(p["trustees"])]
    for j, t in enumerate(trustees, start=1):
        ident = r.field(t, "identity", f"trustee {j}")
        if r.int(r.field(ident, "index", f"trustee {j}"), "trustee index") != j:
            r.fail(f"trustee {j} on the board has index {ident['index']}")
        parts += [u64be(j), r.bytes32(r.field(ident, "key", f"trustee {j}"), "identity key")]
        dealing = r.optional(t, "dealing")
        commitments = [] if dealing is None else r.list(
            r.field(dealing, "commitments", f"trustee {j}'s dealing"), "commitments")
        parts.append(u64be(len(commitments)))
        parts += [r.bytes32(c, f"trustee {j}'s commitment") for c in commitments]

    creds = r.list(r.field(d, "credentials", "board"), "credentials")
    seen = set()
    board.credentials = []
    for i, c in enumerate(creds):
        s = r.point(c, f"credential {i}", nonzero=True)
        if s in seen:
            r.fail(f"credential {i} is listed twice")
        seen.add(s)
        board.credentials.append(s)
    parts += [r.bytes32(r.field(d, "public_key", "board"), "public key"), u64be(len(creds))]
    parts += board.credentials
    board.fp = digest("charter/v1/fingerprint", parts)
    if r.bytes32(r.field(d, "fingerprint", "board"), "fingerprint") != board.fp:
        r.fail("election fingerprint does not match the board")


# ------------------------------------------------------------------------------------------
# Step 2: trustee proofs.

def schnorr_holds(board, r, purpose, i, x, proof, what):
    a = r.point(r.field(proof, "commitment", what), f"{what} commitment")
    s = r.scalar(r.field(proof, "response", what), f"{what} response")
    c = hash_scalar("charter/v1/schnorr",
                    [board.setup_fp, purpose.encode(), u64be(i), x, a])
    return mul_base(s) == add(a, mul(c, x))


def step2_trustee_proofs(board):
    r = Reader(2)
    t_needed = board.params["threshold"]
    board.dealings = {}
    board.identities = {}
    for j, t in enumerate(board.data["trustees"], start=1):
        ident = t["identity"]
        z = r.point(ident["key"], f"trustee {j}'s identity key", nonzero=True)
        proof = r.field(ident, "proof", f"trustee {j}'s identity")
        if not schnorr_holds(board, r, "identity", j, z, proof, f"trustee {j}'s identity proof"):
            r.fail(f"trustee {j}: identity key proof does not verify")
        board.identities[j] = z
        dealing = t.get("dealing")
        if dealing is None:
            board.dealings[j] = None
            continue
        cs = dealing["commitments"]
        if len(cs) != t_needed:
            r.fail(f"trustee {j}: {len(cs)} commitments, {t_needed} expected")
        cs = [r.point(c, f"trustee {j}'s commitment {k}", nonzero=True) for k, c in enumerate(cs)]
        proof = r.field(dealing, "constant_proof", f"trustee {j}'s dealing")
        if not schnorr_holds(board, r, "constant", j, cs[0], proof,
                             f"trustee {j}'s constant proof"):
            r.fail(f"trustee {j}: constant term proof does not verify")
        board.dealings[j] = cs
    if all(cs is None for cs in board.dealings.values()):
        r.fail("no qualified dealing")


# ------------------------------------------------------------------------------------------
# Step 3: keys.

def step3_keys(board):
    r = Reader(3)
    qualified = [cs for cs in board.dealings.values() if cs is not None]
    y = r.point(board.data["public_key"], "public key", nonzero=True)
    if y != point_sum(cs[0] for cs in qualified):
        r.fail("public key is not the sum of the qualified constant-term commitments")
    board.public_key = y
    board.vks = {}
    for j, t in enumerate(board.data["trustees"], start=1):
        vk = r.point(r.field(t, "verification_key", f"trustee {j}"),
                     f"trustee {j}'s verification key", nonzero=True)
        expected = point_sum(mul(pow(j, k, L), c) for cs in qualified for k, c in enumerate(cs))
        if vk != expected:
            r.fail(f"trustee {j}'s verification key does not match the commitments")
        board.vks[j] = vk


# ------------------------------------------------------------------------------------------
# Step 4: ballots.

def disjunctive_holds(y, tag, statement, alpha, beta, lo, branches):
    """Spec 4.2; `branches` are decoded (A, B, c, s) for lo, lo+1, ..."""
    parts = list(statement)
    for a, b, _, _ in branches:
        parts += [a, b]
    if sum(c for _, _, c, _ in branches) % L != hash_scalar(tag, parts):
        return False
    for j, (a, b, c, s) in enumerate(branches, start=lo):
        if mul_base(s) != add(a, mul(c, alpha)):
            return False
        if mul(s, y) != add(b, mul(c, sub(beta, mul_base(j)))):
            return False
    return True


def read_branches(r, proof_branches, count, what):
    branches = r.list(proof_branches, what)
    if len(branches) != count:
        r.fail(f"{what}: {len(branches)} branches, {count} expected")
    out = []
    for n, br in enumerate(branches):
        w = f"{what} branch {n}"
        out.append((r.point(r.field(br, "a", w), f"{w} a"),
                    r.point(r.field(br, "b", w), f"{w} b"),
                    r.scalar(r.field(br, "challenge", w), f"{w} challenge"),
                    r.scalar(r.field(br, "response", w), f"{w} response")))
    return out


def check_ballot(board, r, n, entry, on_list):
    """Checks ballot number `n` (0-based) and returns (tracker, credential, ciphertexts)."""
    p = board.params
    fp, y = board.fp, board.public_key
    what = f"ballot {n}"
    ballot = r.field(entry, "ballot", what)
    tracker = r.bytes32(r.field(entry, "tracker", what), f"{what}'s tracker")
    if not isinstance(ballot, dict) or ballot.get("credential") is None:
        r.fail(f"{what} has no credential")
    s_cred = r.point(ballot["credential"], f"{what}'s credential", nonzero=True)
    if s_cred not in on_list:
        r.fail(f"{what}'s credential is not on the list")
    sig = ballot.get("signature")
    if sig is None:
        r.fail(f"{what} has no signature")

    choices = r.list(r.field(ballot, "choices", what), f"{what}'s choices")
    if len(choices) != p["options"]:
        r.fail(f"{what} has {len(choices)} entries, {p['options']} expected")
    ranked = board.ranked
    cts = []
    message = [fp, s_cred]
    proof_ok = True
    for k, ch in enumerate(choices):
        w = f"{what} entry {k}"
        alpha = r.point(r.field(ch, "alpha", w), f"{w} alpha")
        beta = r.point(r.field(ch, "beta", w), f"{w} beta")
        cts.append((alpha, beta))
        message += [alpha, beta]
        if ranked:
            if r.optional(ch, "range") is not None:
                r.fail(f"{w} has a range proof in a ranked ballot")
            kn = r.field(ch, "knowledge", w)
            a = r.point(r.field(kn, "commitment", w), f"{w} knowledge commitment")
            s = r.scalar(r.field(kn, "response", w), f"{w} knowledge response")
            message += [a, scalar_bytes(s)]
            c = hash_scalar("charter/v1/randomness", [fp, s_cred, y, u64be(k), alpha, beta, a])
            proof_ok = proof_ok and mul_base(s) == add(a, mul(c, alpha))
        else:
            if r.optional(ch, "knowledge") is not None:
                r.fail(f"{w} has a knowledge proof in a homomorphic ballot")
            rng = r.field(ch, "range", w)
            branches = read_branches(r, r.field(rng, "branches", w), 2, f"{w} range proof")
            for a, b, c, s in branches:
                message += [a, b, scalar_bytes(c), scalar_bytes(s)]
            statement = [fp, s_cred, y, u64be(k), u64be(0), u64be(1), alpha, beta]
            proof_ok = proof_ok and disjunctive_holds(
                y, "charter/v1/disjunctive", statement, alpha, beta, 0, branches)
    if ranked:
        if r.optional(ballot, "overall") is not None:
            r.fail(f"{what} has an overall proof in a ranked ballot")
    else:
        overall = r.field(ballot, "overall", what)
        branches = read_branches(r, r.field(overall, "branches", what),
                                 p["max"] - p["min"] + 1, f"{what} overall proof")
        for a, b, c, s in branches:
            message += [a, b, scalar_bytes(c), scalar_bytes(s)]
        statement = [fp, s_cred, y, u64be(p["min"]), u64be(p["max"])]
        for alpha, beta in cts:
            statement += [alpha, beta]
        proof_ok = proof_ok and disjunctive_holds(
            y, "charter/v1/overall", statement, point_sum(a for a, _ in cts),
            point_sum(b for _, b in cts), p["min"], branches)

    big_r = r.point(r.field(sig, "commitment", f"{what}'s signature"),
                    f"{what}'s signature commitment")
    s = r.scalar(r.field(sig, "response", f"{what}'s signature"), f"{what}'s signature response")
    m = enc("charter/v1/ballot", message)
    c = hash_scalar("charter/v1/signature", [fp, s_cred, m, big_r])
    if not proof_ok:
        r.fail(f"{what}: a ballot proof does not verify")
    if mul_base(s) != add(big_r, mul(c, s_cred)):
        r.fail(f"{what}: signature does not verify")
    canonical = m + u64be(32) + big_r + u64be(32) + scalar_bytes(s)
    if hashlib.sha256(canonical).digest() != tracker:
        r.fail(f"{what}: tracker is not the hash of the ballot")
    return tracker, s_cred, cts


def step4_ballots(board):
    r = Reader(4)
    entries = r.list(r.field(board.data, "ballots", "board"), "ballots")
    on_list = set(board.credentials)
    seen = {}
    board.ballots = []
    for n, entry in enumerate(entries):
        tracker = entry.get("tracker") if isinstance(entry, dict) else None
        if tracker in seen:
            r.fail(f"ballot {n} is a copy of ballot {seen[tracker]}")
        t, cred, cts = check_ballot(board, r, n, entry, on_list)
        seen[tracker] = n
        board.ballots.append((cred, cts))
    # Counting rule (section 6): only a credential's last ballot counts.
    last = {cred: n for n, (cred, _) in enumerate(board.ballots)}
    board.counted = [cts for n, (cred, cts) in enumerate(board.ballots) if last[cred] == n]


# ------------------------------------------------------------------------------------------
# Shared readers of rows of ciphertexts.

def read_rows(r, rows, shape, what, cell):
    """Reads `rows` (a list of lists) with the given shape (list of row lengths)."""
    rows = r.list(rows, what)
    if len(rows) != len(shape):
        r.fail(f"{what}: {len(rows)} rows, {len(shape)} expected")
    out = []
    for i, (row, width) in enumerate(zip(rows, shape)):
        row = r.list(row, f"{what} row {i}")
        if len(row) != width:
            r.fail(f"{what} row {i}: {len(row)} entries, {width} expected")
        out.append([cell(v, f"{what} row {i} entry {k}") for k, v in enumerate(row)])
    return out


def read_ciphertext(r, v, what):
    return (r.point(r.field(v, "alpha", what), f"{what} alpha"),
            r.point(r.field(v, "beta", what), f"{what} beta"))


# ------------------------------------------------------------------------------------------
# Step 5: shuffles (spec section 7).

SHUFFLE_POINT_LISTS = ("permutation_commitments", "chain", "t_hat")
SHUFFLE_SCALAR_LISTS = ("s_hat", "s_prime")


def read_shuffle_proof(r, proof, n, w, what):
    """Decodes a shuffle proof of N = n rows of width w (the shapes of section 7.3)."""
    if not isinstance(proof, dict):
        r.fail(f"{what}: the proof is not an object")
    out = {}
    for key in SHUFFLE_POINT_LISTS + SHUFFLE_SCALAR_LISTS + ("t4", "s4"):
        values = r.list(r.field(proof, key, what), f"{what} {key}")
        expected = w if key in ("t4", "s4") else n
        if len(values) != expected:
            r.fail(f"{what}: {len(values)} {key}, {expected} expected")
    for key in SHUFFLE_POINT_LISTS:
        out[key] = [r.point(v, f"{what} {key} {i}") for i, v in enumerate(proof[key])]
    for key in SHUFFLE_SCALAR_LISTS + ("s4",):
        out[key] = [r.scalar(v, f"{what} {key} {i}") for i, v in enumerate(proof[key])]
    out["t4"] = [read_ciphertext(r, v, f"{what} t4 {k}") for k, v in enumerate(proof["t4"])]
    for key in ("t1", "t2", "t3", "t_key"):
        out[key] = r.point(r.field(proof, key, what), f"{what} {key}")
    for key in ("s1", "s2", "s3", "s_key"):
        out[key] = r.scalar(r.field(proof, key, what), f"{what} {key}")
    return out


def check_shuffle(board, r, position, tau, rows, shuffle):
    """Checks shuffle number `position` by trustee `tau` (τ) of `rows` (section 7.3) and returns
    its output rows."""
    what = f"shuffle {position}"
    n, w = len(rows), board.params["options"]
    out = read_rows(r, r.field(shuffle, "ciphertexts", what), [w] * n,
                    f"{what} ciphertexts", lambda v, x: read_ciphertext(r, v, x))
    pr = read_shuffle_proof(r, r.field(shuffle, "proof", what), n, w, what)
    z = board.identities[tau]
    y = board.public_key

    statement = [board.fp, y, u64be(position), u64be(tau), z, u64be(n), u64be(w)]
    for row in rows + out:
        for alpha, beta in row:
            statement += [alpha, beta]
    delta = digest("charter/v1/shuffle/statement", statement)
    cs = pr["permutation_commitments"]
    rho = digest("charter/v1/shuffle/permutation", [delta] + cs)
    u = [hash_scalar("charter/v1/shuffle/challenges", [rho, u64be(i)]) for i in range(n)]
    parts = [rho] + pr["chain"] + [pr["t1"], pr["t2"], pr["t3"]]
    for ta, tb in pr["t4"]:
        parts += [ta, tb]
    parts += pr["t_hat"] + [pr["t_key"]]
    c = hash_scalar("charter/v1/shuffle", parts)

    hs = [generator(i) for i in range(n)]
    h_hat = chain_generator()
    big_u = 1
    for uj in u:
        big_u = big_u * uj % L
    chain = pr["chain"]
    last = chain[-1] if chain else h_hat
    sp = pr["s_prime"]
    bad = f"the proof of shuffle {position} by trustee {tau} does not verify"

    def holds(left, right):
        if left != right:
            r.fail(bad)
    # (1)
    holds(mul_base(pr["s1"]),
          add(pr["t1"], mul(c, sub(point_sum(cs), point_sum(hs)))))
    # (2)
    holds(mul_base(pr["s2"]), add(pr["t2"], mul(c, sub(last, mul(big_u, h_hat)))))
    # (3)
    holds(add(mul_base(pr["s3"]), lincomb(zip(sp, hs))),
          add(pr["t3"], mul(c, lincomb(zip(u, cs)))))
    # (4)
    for k in range(w):
        s4 = pr["s4"][k]
        t4a, t4b = pr["t4"][k]
        holds(sub(lincomb((s, row[k][0]) for s, row in zip(sp, out)), mul_base(s4)),
              add(t4a, mul(c, lincomb((uj, row[k][0]) for uj, row in zip(u, rows)))))
        holds(sub(lincomb((s, row[k][1]) for s, row in zip(sp, out)), mul(s4, y)),
              add(t4b, mul(c, lincomb((uj, row[k][1]) for uj, row in zip(u, rows)))))
    # (5)
    previous = h_hat
    for i in range(n):
        holds(add(mul_base(pr["s_hat"][i]), mul(sp[i], previous)),
              add(pr["t_hat"][i], mul(c, chain[i])))
        previous = chain[i]
    # (6)
    holds(mul_base(pr["s_key"]), add(pr["t_key"], mul(c, z)))
    return out


def step5_shuffles(board):
    r = Reader(5)
    shuffles = board.data.get("shuffles")
    shuffles = r.list([] if shuffles is None else shuffles, "shuffles")
    if not board.ranked:
        if shuffles:
            r.fail("only ranked ballots are shuffled")
        return
    t = board.params["threshold"]
    if board.closed and len(shuffles) < t:
        r.fail(f"{len(shuffles)} shuffles before decryption, at least {t} needed")
    rows = [list(cts) for cts in board.counted]
    previous = 0
    for position, shuffle in enumerate(shuffles):
        j = r.int(r.field(shuffle, "trustee", f"shuffle {position}"),
                  f"shuffle {position}'s trustee")
        if j not in board.identities:
            r.fail(f"shuffle {position} by trustee {j}, who is not on the board")
        if j <= previous:
            r.fail(f"shuffle {position}: trustees must shuffle once each, in increasing order")
        rows = check_shuffle(board, r, position, j, rows, shuffle)
        previous = j
    board.shuffled = rows if shuffles else None


# ------------------------------------------------------------------------------------------
# Step 6: tally ciphertexts.

def step6_tally_ciphertexts(board):
    r = Reader(6)
    tally = board.data["tally"]
    if not isinstance(tally, dict):
        r.fail("tally is not an object")
    options = board.params["options"]
    if board.ranked:
        # Step 5 made sure that a closed ranked board has at least t >= 1 shuffles.
        expected = board.shuffled
    else:
        expected = [[(point_sum(cts[k][0] for cts in board.counted),
                      point_sum(cts[k][1] for cts in board.counted)) for k in range(options)]]
    bad = "tally ciphertexts are not the sums of the counted ballots or the last shuffle"
    rows = r.list(r.field(tally, "ciphertexts", "tally"), "tally ciphertexts")
    if len(rows) != len(expected):
        r.fail(bad)
    got = read_rows(r, rows, [options] * len(expected), "tally ciphertexts",
                    lambda v, w: read_ciphertext(r, v, w))
    if got != expected:
        r.fail(bad)
    board.tally_rows = got


# ------------------------------------------------------------------------------------------
# Step 7: decryption shares.

def step7_decryption_shares(board):
    r = Reader(7)
    fp = board.fp
    shares = r.list(r.field(board.data["tally"], "shares", "tally"), "shares")
    shape = [len(row) for row in board.tally_rows]
    board.shares = {}
    for share in shares:
        j = r.int(r.field(share, "trustee", "share"), "share trustee")
        if j not in board.vks:
            r.fail(f"a share from trustee {j}, who is not on the board")
        if j in board.shares:
            r.fail(f"two shares from trustee {j}")
        board.shares[j] = share
    t = board.params["threshold"]
    if len(board.shares) < t:
        r.fail(f"{len(board.shares)} shares, {t} needed")
    for j, share in board.shares.items():
        vk = board.vks[j]

        def cell(v, w):
            pr = r.field(v, "proof", w)
            return (r.point(r.field(v, "factor", w), f"{w} factor"),
                    r.point(r.field(pr, "a", w), f"{w} proof a"),
                    r.point(r.field(pr, "b", w), f"{w} proof b"),
                    r.scalar(r.field(pr, "response", w), f"{w} proof response"))
        rows = read_rows(r, r.field(share, "factors", f"trustee {j}'s share"), shape,
                         f"trustee {j}'s factors", cell)
        for row, cts in zip(rows, board.tally_rows):
            for (d, a, b, s), (alpha, beta) in zip(row, cts):
                c = hash_scalar("charter/v1/decryption",
                                [fp, u64be(j), vk, alpha, beta, d, a, b])
                if mul_base(s) != add(a, mul(c, vk)) or mul(s, alpha) != add(b, mul(c, d)):
                    r.fail(f"trustee {j}'s decryption proof does not verify")
        board.shares[j] = [[d for d, _, _, _ in row] for row in rows]


# ------------------------------------------------------------------------------------------
# Step 8: plaintexts.

def lagrange(j, indices):
    num, den = 1, 1
    for m in indices:
        if m != j:
            num = num * m % L
            den = den * (m - j) % L
    return num * pow(den, -1, L) % L


def step8_plaintexts(board):
    r = Reader(8)
    ranked = board.ranked
    bound = board.params["options"] if ranked else len(board.counted)
    table = [IDENTITY]
    g = mul_base(1)
    for _ in range(bound):
        table.append(add(table[-1], g))
    index = {pt: m for m, pt in enumerate(table)}
    lambdas = {j: lagrange(j, board.shares) for j in board.shares}

    def cell(v, w):
        if v is None:
            if not ranked:
                r.fail(f"{w} is null in a homomorphic tally")
            return None
        return r.int(v, w)
    shape = [len(row) for row in board.tally_rows]
    rows = read_rows(r, board.data["tally"].get("plaintexts"), shape, "plaintexts", cell)
    bad = "plaintexts are not the decryption of the tally"
    for i, (row, cts) in enumerate(zip(rows, board.tally_rows)):
        for k, (m, (_, beta)) in enumerate(zip(row, cts)):
            combined = sub(beta, point_sum(mul(lam, board.shares[j][i][k])
                                           for j, lam in lambdas.items()))
            found = index.get(combined)
            if found != m:
                r.fail(bad)
    board.plaintexts = rows


# ------------------------------------------------------------------------------------------
# Step 9: outcome.

def rankings(board):
    p = board.params
    valid, spoilt = [], 0
    for row in board.plaintexts:
        k = 0
        while k < len(row) and row[k] not in (None, 0):
            k += 1
        prefix = row[:k]
        ok = (all(v == 0 for v in row[k:]) and len(set(prefix)) == k
              and p["min"] <= k <= p["max"])
        if ok:
            valid.append([v - 1 for v in prefix])
        else:
            spoilt += 1
    return valid, spoilt


def step9_outcome(board):
    r = Reader(9)
    got = r.field(board.data["tally"], "outcome", "tally")
    if board.ranked:
        valid, spoilt = rankings(board)
        expected = {"kind": "rankings", "ballots": len(board.counted), "rankings": valid,
                    "spoilt": spoilt}
    else:
        expected = {"kind": "totals", "ballots": len(board.counted),
                    "totals": board.plaintexts[0]}
    if not isinstance(got, dict) or any(
            not same_json(got.get(k), v) for k, v in expected.items()):
        r.fail("outcome does not follow from the plaintexts")


def same_json(a, b):
    """Equality that does not take JSON true for 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same_json(x, y) for x, y in zip(a, b))
    return type(a) is type(b) and a == b


# ------------------------------------------------------------------------------------------

OPEN_STEPS = [step1_parameters, step2_trustee_proofs, step3_keys, step4_ballots,
              step5_shuffles]
CLOSED_STEPS = [step6_tally_ciphertexts, step7_decryption_shares, step8_plaintexts,
                step9_outcome]


def verify(data):
    """Runs every step; returns the number of ballots, or raises Fail."""
    if not isinstance(data, dict):
        raise Fail(1, "the board is not a JSON object")
    board = Board(data)
    steps = OPEN_STEPS + (CLOSED_STEPS if board.closed else [])
    for number, step in enumerate(steps, start=1):
        try:
            step(board)
        except Fail:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, IndexError) as e:
            raise Fail(number, f"malformed board ({type(e).__name__}: {e})") from None
    return len(board.ballots)


def main(argv):
    if len(argv) == 2 and argv[1] == "--check":
        try:
            sodium()
            check_generators()
        except Unavailable as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print("ok: libsodium with ristretto255 loaded, shuffle generators match")
        return 0
    if len(argv) != 2:
        print(f"usage: {argv[0]} BOARD.json   (or --check)", file=sys.stderr)
        return 2
    try:
        sodium()
        check_generators()
        with open(argv[1], "rb") as f:
            data = json.loads(f.read().decode("utf-8"))
    except (Unavailable, OSError, ValueError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    try:
        n = verify(data)
    except Fail as f:
        print(f"step {f.step}: {f.reason}")
        return 1
    print(f"ok: {n} ballots verified")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
