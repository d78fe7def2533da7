/** The stored form of an event (v2): canonical encoding, salted commitments, the hashed part. */
export { canonicalBytes, canonicalJson, CanonicalEncodingError } from './canonical-encoding';
export { commit, commitCanonical, newSalt, verifyCommitment, SALT_BYTES, ZCommitment, ZSalt, type CommitmentCheck, type TCommitment } from './commitment';
export * from './stored-event.schema';
export { hashedPartBytes, hashedPartOf, type StoredEventV2 } from './hashed-part';
export { ERASED_MARKER, renderTemplate, templateReferences, toTemplate, type TemplateValue } from './description-template';
export { countErasedKey, dataSubjectKey, eraseFromEvent, erasureMatcher, matchesErasure, ZErasureRequest, type ErasedEvent, type ErasureMatcher, type TErasureRequest } from './erase-values';
