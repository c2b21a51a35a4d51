/** Commonly used passwords of 8+ characters (from public breach-frequency lists), lower-cased. Extend as needed. */
export const COMMON_PASSWORDS: ReadonlySet<string> = new Set([
  '00000000', '0987654321', '11111111', '1111111111', '11223344', '123123123', '12341234', '12345678',
  '123456789', '1234567890', '12345678910', '123456789a', '1234qwer', '123qweasd', '1q2w3e4r', '1qaz2wsx',
  '1qazxsw2', '87654321', '88888888', '987654321', '987654321a', 'a123456789', 'aa123456', 'abc12345',
  'abcd1234', 'admin123', 'administrator', 'arsenal1', 'asdf1234', 'asdfghjkl', 'autumn2025', 'babygirl1',
  'baseball', 'baseball1', 'batman123', 'butterfly', 'changeme', 'charlie1', 'chelsea1', 'computer',
  'daniel123', 'dragon12', 'facebook1', 'flower123', 'football', 'football1', 'freedom1', 'google123',
  'hello123', 'hockey12', 'iloveyou', 'iloveyou1', 'iloveyou2', 'internet', 'jennifer', 'jordan23',
  'letmein1', 'letmein123', 'linkedin1', 'liverpool', 'loveyou1', 'master12', 'maverick', 'michael1',
  'michelle', 'monkey12', 'mustang1', 'p@ssw0rd', 'p@ssword', 'passw0rd', 'password', 'password!',
  'password1', 'password12', 'password123', 'password2', 'password2024', 'password2025', 'password2026',
  'pokemon1', 'princess', 'princess1', 'q1w2e3r4', 'q1w2e3r4t5', 'qazwsxedc', 'qwer1234', 'qwerty123',
  'qwerty12345', 'qwertyui', 'qwertyuiop', 'samsung1', 'secret12', 'secret123', 'shadow12', 'soccer12',
  'spiderman', 'spring2025', 'starwars', 'summer2024', 'summer2025', 'summer2026', 'sunshine', 'sunshine1',
  'superman', 'test1234', 'testtest', 'trustno1', 'welcome1', 'welcome123', 'welcome2025', 'whatever',
  'whatever1', 'winter2024', 'winter2025', 'winter2026', 'zaq12wsx', 'zxcvbnm1', 'zxcvbnm123',
]);
