import {
  COMPOSE_FILE,
  DOCKERFILES,
  formatProblem,
  lintComposeFile,
  lintDockerfile,
} from './docker-lint.ts';
import { repoPath } from '../src/repo-paths.ts';

/**
 * `npm run lint:docker`: validates the Dockerfiles and the compose file without a Docker engine.
 * Any finding, warning or error, fails the run.
 */
async function main(): Promise<void> {
  const problems = [
    ...(await Promise.all(DOCKERFILES.map((file) => lintDockerfile(repoPath(file), file)))).flat(),
    ...(await lintComposeFile(repoPath(COMPOSE_FILE), COMPOSE_FILE)),
  ];
  for (const problem of problems) console.error(formatProblem(problem));
  const checked = [...DOCKERFILES, COMPOSE_FILE].join(', ');
  if (problems.length > 0) {
    console.error(`lint:docker: ${problems.length} problem(s) in ${checked}`);
    process.exitCode = 1;
  } else {
    console.log(`lint:docker: ${checked} OK`);
  }
}

await main();
