// What this device remembers of its user's ballots: the option chosen, so the voter sees their
// choice after voting and after a reload. The server's snapshot says only whether they voted
// (`i_voted`; a secret ballot is not linked to its voter), so the choice is kept here, on the
// voter's own device.
const key = (userId, pollId) => `voted:${userId}:${pollId}`;

/** The option index this device cast, -1 when it voted without knowing which (older record), or null. */
export function votedHere(userId, pollId) {
  const v = localStorage.getItem(key(userId, pollId));
  if (v === null) return null;
  const m = /^o:(\d+)$/.exec(v);
  return m ? Number(m[1]) : -1;
}

export function rememberVote(userId, pollId, option) {
  localStorage.setItem(key(userId, pollId), option >= 0 ? `o:${option}` : "1");
}
