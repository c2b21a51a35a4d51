/** What checking a password against a stored hash tells, whatever the scheme. */
export interface PasswordCheck {
  valid: boolean;
  /** Right password, but the hash is not today's scheme and parameters: store a new one. */
  needsRehash: boolean;
}
