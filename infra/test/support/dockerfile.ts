import { readFileSync } from 'node:fs';
import { repoPath } from '../../src/repo-paths.ts';

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly name: string;
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

/** Global ARGs and build stages of a Dockerfile (continuations joined, comments dropped). */
export function parseDockerfile(relativePath: string): {
  args: Record<string, string>;
  stages: Stage[];
} {
  const text = readFileSync(repoPath(relativePath), 'utf8').replace(/\\\n/g, ' ');
  const args: Record<string, string> = {};
  const stages: { name: string; from: string; instructions: Instruction[] }[] = [];
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const [keyword = '', ...rest] = trimmed.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const [from = '', , name = ''] = rest;
      stages.push({ name, from, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name = '', value = ''] = instruction.args.split('=');
      args[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { args, stages };
}

/** The stage itself and every stage it is built FROM, nearest first. */
export function lineage(stages: readonly Stage[], name: string): Stage[] {
  const stage = stages.find((s) => s.name === name);
  if (stage === undefined) return [];
  return [stage, ...lineage(stages, stage.from)];
}
