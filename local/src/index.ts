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
  startMailchimpSimulator,
  type MailchimpSimulator,
  type MailchimpSimulatorDependencies,
} from './mailchimp-simulator/mailchimp-simulator.ts';
export type { MailchimpFault } from './mailchimp-simulator/faults.ts';
export {
  DEFAULT_MAILCHIMP_SIM_ACCOUNT,
  DEFAULT_MAILCHIMP_SIM_KEY,
  DEFAULT_MAILCHIMP_SIM_PORT,
  MailchimpSimulatorOptionsError,
  SAMPLE_LIST_ID,
  type MailchimpSimulatorOptions,
  type ResolvedMailchimpSimulatorOptions,
} from './mailchimp-simulator/simulator-options.ts';
export type {
  MailchimpRoute,
  MailchimpSimulatorStats,
} from './mailchimp-simulator/simulator-stats.ts';
export {
  subscriberHash,
  type AudienceMember,
  type MailchimpAddress,
  type MemberStatus,
  type MergeFields,
  type NewMember,
} from './mailchimp-simulator/audience.ts';
export { mailchimpSimulatorOptionsFrom } from './mailchimp-simulator/cli-options.ts';
export {
  buildSyntheticWorld,
  type SyntheticWorld,
  type WorldOptions,
} from './pdl-simulator/synthetic-world.ts';
export type { PdlPerson } from './pdl-simulator/pdl-person.ts';
export { SAMPLE_PEOPLE } from './pdl-simulator/sample-people.ts';
