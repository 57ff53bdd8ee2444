// The voting form of a verifiable ballot, with JavaScript: the voter's device encrypts their
// choice with ballot-crypto.js (window.CharterBallot) before anything is sent, shows the
// tracker, and offers Benaloh's choice: cast this encrypted ballot, or check it (its
// randomness is revealed, the encryption recomputed, and it is spoilt: the voter encrypts
// again). Only the encrypted ballot is posted, in the form's `encrypted` field; the choice
// and the credential inputs are disabled first, so they are not sent.
//
// Without JavaScript none of this runs and the form posts the choice and the credential,
// which the server encrypts on arrival (the page says so).
//
// The credential may come in the address's fragment, `#credential=<64 hex>` (a link in the
// scrutineer's letter): browsers never send the fragment to the server. It fills the field
// and is then taken out of the address, so it stays in no history.
//
// The election parameters, key and fingerprint are in the form's data- attributes; the CSP
// allows no inline script.

(function () {
  "use strict";

  const form = document.getElementById("vt-form");
  if (!form || !form.dataset.election) return;
  const $ = (id) => document.getElementById(id);
  const credential = $("vt-credential");

  // The credential from the fragment, whether or not the encryption below can run.
  const match = /(?:^#|&)credential=([0-9a-fA-F]{64})(?:&|$)/.exec(window.location.hash);
  if (match && credential) {
    if (!credential.value) credential.value = match[1].toLowerCase();
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  const crypto = window.CharterBallot;
  if (!crypto) return; // the form still works as without JavaScript

  const election = JSON.parse(form.dataset.election);
  const publicKey = form.dataset.publicKey;
  const fingerprint = form.dataset.fingerprint;
  const ranks = $("vt-ranks");
  const submit = $("vt-submit");
  const sealed = $("vt-sealed");
  const checked = $("vt-checked");
  const problem = $("vt-js-error");

  $("vt-nojs").hidden = true;
  $("vt-js").hidden = false;
  submit.textContent = "Encrypt my ballot";

  // Build the tables ahead, once the page is shown.
  window.setTimeout(() => {
    try {
      crypto.prepare(publicKey);
    } catch (e) {
      // Reported when the voter encrypts.
    }
  }, 0);

  // The encryption shown now: { ballot, tracker, randomness, choices, words }.
  let current = null;

  function say(message) {
    problem.textContent = message;
    problem.hidden = !message;
  }

  function grouped(hex) {
    return hex.replace(/(.{4})(?=.)/g, "$1 ");
  }

  function labelOf(input) {
    const label = form.querySelector('label[for="' + input.id + '"]');
    return label ? label.textContent.trim() : input.value;
  }

  // The choice as 0-based indices with its words, or throws an Error to show.
  function readChoice() {
    const radios = form.querySelectorAll('input[name="choice"]');
    if (radios.length > 0) {
      const chosen = form.querySelector('input[name="choice"]:checked');
      if (!chosen) throw new Error("Choose one answer.");
      return { choices: [Number(chosen.value)], words: labelOf(chosen) };
    }
    const choices = [];
    const words = [];
    let blank = 0;
    for (let n = 1; ; n++) {
      const select = form.querySelector('select[name="rank' + n + '"]');
      if (!select) break;
      if (select.value === "") {
        if (!blank) blank = n;
        continue;
      }
      if (blank) {
        throw new Error(
          "Preference " + n + " follows a blank preference " + blank +
            ": fill the gap, or clear the preferences after it."
        );
      }
      const value = Number(select.value);
      const name = select.options[select.selectedIndex].textContent.trim();
      if (choices.includes(value)) {
        throw new Error(name + " is ranked twice: rank each candidate once.");
      }
      choices.push(value);
      words.push(n + ". " + name);
    }
    if (choices.length === 0) throw new Error("Choose your 1st preference.");
    return { choices, words: words.join(", ") };
  }

  function readCredential() {
    const value = credential.value.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(value)) {
      credential.setAttribute("aria-invalid", "true");
      credential.focus();
      throw new Error(
        "Your credential is the 64 letters and digits in the scrutineer's letter: check it and type it again."
      );
    }
    credential.removeAttribute("aria-invalid");
    return value;
  }

  // While an encryption is shown, the choice and the credential stay as they were.
  function lock(locked) {
    if (ranks) ranks.disabled = locked;
    credential.readOnly = locked;
    submit.hidden = locked;
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    say("");
    let secret, choice;
    try {
      secret = readCredential();
      choice = readChoice();
    } catch (e) {
      say(e.message);
      return;
    }
    submit.disabled = true;
    submit.textContent = "Encrypting…";
    // Let the button's new text show before the few hundred milliseconds of work.
    window.setTimeout(() => {
      try {
        const out = crypto.encryptBallot(election, publicKey, fingerprint, secret, choice.choices);
        current = Object.assign({}, out, choice);
        $("vt-tracker").textContent = grouped(out.tracker);
        $("vt-tracker").dataset.tracker = out.tracker;
        checked.hidden = true;
        sealed.hidden = false;
        lock(true);
        sealed.focus();
      } catch (e) {
        say("Your browser could not encrypt your ballot: " + e.message);
      } finally {
        submit.disabled = false;
        submit.textContent = "Encrypt my ballot";
      }
    }, 20);
  });

  $("vt-cast").addEventListener("click", () => {
    if (!current) return;
    $("vt-encrypted").value = JSON.stringify(current.ballot);
    // Neither the choice nor the credential leaves the device: disabled inputs are not sent.
    if (ranks) ranks.disabled = true;
    credential.disabled = true;
    $("vt-cast").disabled = true;
    $("vt-check").disabled = true;
    form.submit();
  });

  $("vt-check").addEventListener("click", () => {
    if (!current) return;
    const spoilt = current;
    current = null;
    const result = crypto.auditBallot(
      election,
      publicKey,
      fingerprint,
      spoilt.ballot,
      spoilt.randomness,
      spoilt.choices
    );
    const tracker = grouped(spoilt.tracker);
    $("vt-check-result").textContent = result.ok
      ? "The check passed: the encrypted ballot with tracker " + tracker +
        " holds your choice (" + spoilt.words + "). It is now spoilt: it can never be cast, because how it was encrypted is revealed. Encrypt again to cast your vote."
      : "The check failed: " + result.reason +
        ". Do not use this device to vote; tell the scrutineer. This encrypted ballot is spoilt and is not cast.";
    $("vt-check-result").dataset.ok = String(result.ok);
    $("vt-revealed").textContent = JSON.stringify(
      { tracker: spoilt.tracker, choices: spoilt.choices, randomness: spoilt.randomness, ballot: spoilt.ballot },
      null,
      2
    );
    sealed.hidden = true;
    checked.hidden = false;
    checked.focus();
  });

  $("vt-again").addEventListener("click", () => {
    checked.hidden = true;
    lock(false);
    submit.focus();
  });
})();
