import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** A relative link in a markdown file that points at no file, or at no heading of it. */
export interface BrokenLink {
  readonly file: string;
  readonly line: number;
  readonly target: string;
  readonly reason: string;
}

const LINK = /\[[^\]]*\]\(([^)\s]+)\)/g;

/**
 * Checks the relative links of markdown files (paths from `root`): the file must exist and, for
 * `#anchor` links, have a heading with that GitHub slug. Web links and code blocks are skipped.
 */
export function findBrokenLinks(root: string, files: readonly string[]): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const file of files) {
    const lines = readFileSync(join(root, file), 'utf8').split('\n');
    let inFence = false;
    for (const [index, text] of lines.entries()) {
      if (text.trimStart().startsWith('```')) inFence = !inFence;
      if (inFence) continue;
      for (const match of text.replaceAll(/`[^`]*`/g, '').matchAll(LINK)) {
        const target = match[1]!;
        if (/^[a-z]+:/i.test(target)) continue;
        const reason = checkTarget(root, file, target);
        if (reason !== undefined) broken.push({ file, line: index + 1, target, reason });
      }
    }
  }
  return broken;
}

function checkTarget(root: string, file: string, target: string): string | undefined {
  const [path = '', anchor] = target.split('#');
  const targetFile = path === '' ? file : relative(root, join(root, dirname(file), path));
  const absolute = join(root, targetFile);
  if (!existsSync(absolute)) return `${targetFile} does not exist`;
  if (statSync(absolute).isDirectory())
    return anchor === undefined ? undefined : `${targetFile} is a folder`;
  const text = readFileSync(absolute, 'utf8');
  if (anchor === undefined || anchor === '') return undefined;
  return headingSlugs(text).has(anchor) ? undefined : `${targetFile} has no heading #${anchor}`;
}

/** GitHub's heading anchors: lower case, punctuation dropped, spaces as dashes. */
export function headingSlugs(markdown: string): Set<string> {
  const slugs = new Set<string>();
  let inFence = false;
  for (const line of markdown.split('\n')) {
    if (line.trimStart().startsWith('```')) inFence = !inFence;
    const heading = inFence ? null : /^#{1,6} (.+)$/.exec(line);
    if (heading === null) continue;
    const base = heading[1]!
      .trim()
      .toLowerCase()
      .replaceAll(/[^\p{L}\p{N}\s_-]/gu, '')
      .replaceAll(' ', '-');
    let slug = base;
    for (let n = 1; slugs.has(slug); n++) slug = `${base}-${n}`;
    slugs.add(slug);
  }
  return slugs;
}
