// Meeting roles the client reasons about (/api §2: my_role). The staff run the meeting: they
// edit the agenda, the participants and the documents, see drafts, and keep their own
// conclusions when a notice is published.
export const STAFF = ["chair", "secretary"];

/** Whether a meeting role is staff. */
export const isStaff = (role) => STAFF.includes(role);
