export { emulatorEnv, startEmulators, type EmulatorOptions, type Emulators } from './emulators.ts';
export { seedNicknames } from './seed-nicknames.ts';
