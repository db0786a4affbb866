export { emulatorEnv, startEmulators, type EmulatorOptions, type Emulators } from './emulators.ts';
