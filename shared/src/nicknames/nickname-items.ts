/** A given name and one of its nicknames or diminutives ("robert", "bob"). */
export interface NicknamePairLike {
  readonly name: string;
  readonly nickname: string;
}

/** The nicknames table holds one item per given name: `{ name, nicknames: string set }`. */
export interface NicknameItem {
  readonly name: string;
  readonly nicknames: readonly string[];
}

/** Groups pairs into items; names are lowercased and trimmed, duplicates dropped, order stable. */
export function nicknameItems(pairs: Iterable<NicknamePairLike>): NicknameItem[] {
  const byName = new Map<string, Set<string>>();
  for (const pair of pairs) {
    const name = pair.name.trim().toLowerCase();
    const nickname = pair.nickname.trim().toLowerCase();
    if (name === '' || nickname === '' || name === nickname) continue;
    let set = byName.get(name);
    if (!set) byName.set(name, (set = new Set()));
    set.add(nickname);
  }
  return [...byName]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, set]) => ({ name, nicknames: [...set].sort() }));
}

/** The pairs an item stands for. */
export function nicknamePairs(items: Iterable<NicknameItem>): NicknamePairLike[] {
  return [...items].flatMap((item) =>
    item.nicknames.map((nickname) => ({ name: item.name, nickname })),
  );
}
