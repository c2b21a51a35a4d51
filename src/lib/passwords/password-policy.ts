/**
 * The password policy (NIST SP 800-63B 5.1.1.2): length counted in Unicode code points, 8 to 128,
 * and not on a list of commonly used passwords. No composition rules: they do not help.
 */
import { COMMON_PASSWORDS } from './common-passwords';

export const PASSWORD_MIN = 8;
export const PASSWORD_MAX = 128;

export const codePointLength = (text: string): number => [...text].length;

/** Returns what is wrong with the password, or undefined when it is acceptable. */
export function passwordProblem(rawPassword: string): string | undefined {
  // Judge the password as it will be hashed (NFKC, see argon2id-hasher), so a full-width
  // "ｐａｓｓｗｏｒｄ" is as common as "password".
  const password = rawPassword.normalize('NFKC');
  const length = codePointLength(password);
  if (length < PASSWORD_MIN) return `must be at least ${PASSWORD_MIN} characters`;
  if (length > PASSWORD_MAX) return `must be at most ${PASSWORD_MAX} characters`;
  if (COMMON_PASSWORDS.has(password.toLowerCase())) return 'is too common; choose another';
  return undefined;
}
