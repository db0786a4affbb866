export { emulatorEnv, startEmulators, type EmulatorOptions, type Emulators } from './emulators.ts';
export { seedNicknames } from './seed-nicknames.ts';
export {
  startPdlSimulator,
  type PdlSimulator,
  type PdlSimulatorDependencies,
} from './pdl-simulator/pdl-simulator.ts';
export {
  DEFAULT_PDL_SIM_KEY,
  DEFAULT_PDL_SIM_PORT,
  PdlSimulatorOptionsError,
  type PdlSimulatorOptions,
  type ResolvedPdlSimulatorOptions,
} from './pdl-simulator/simulator-options.ts';
export type { PdlSimulatorStats } from './pdl-simulator/simulator-stats.ts';
export { pdlSimulatorOptionsFrom } from './pdl-simulator/cli-options.ts';
export {
  buildSyntheticWorld,
  type SyntheticWorld,
  type WorldOptions,
} from './pdl-simulator/synthetic-world.ts';
export type { PdlPerson } from './pdl-simulator/pdl-person.ts';
export { SAMPLE_PEOPLE } from './pdl-simulator/sample-people.ts';
