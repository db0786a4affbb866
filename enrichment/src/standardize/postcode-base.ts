/** The ZIP part of a US key ("021394307" → "02139"): ZIP+4 agrees with its ZIP. */
export function postcodeBase(key: string): string {
  return /^\d{9}$/.test(key) ? key.slice(0, 5) : key;
}
