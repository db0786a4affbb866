import { App } from 'aws-cdk-lib';
import { ContactsStack } from './contacts-stack.ts';
import { settingsFromContext, type ContactsSettings } from './settings.ts';

/** Feature flags the stack relies on, set on every App (CLI and tests alike). */
export const FEATURE_FLAGS = {
  // Leave the worker's desired count to auto scaling instead of resetting it on every deploy.
  '@aws-cdk/aws-ecs:removeDefaultDesiredCount': true,
} as const;

export const STACK_ID = 'ContactsStack';

export interface ContactsApp {
  readonly app: App;
  readonly stack: ContactsStack;
  readonly settings: ContactsSettings;
}

/**
 * Builds the app with one environment-agnostic stack, so synthesis needs no AWS credentials and
 * no lookups; the account and region come from the deploying credentials.
 */
export function createContactsApp(context: Record<string, unknown> = {}): ContactsApp {
  const app = new App({ context: { ...FEATURE_FLAGS, ...context } });
  const settings = settingsFromContext((key) => app.node.tryGetContext(key));
  const stack = new ContactsStack(app, STACK_ID, {
    settings,
    description: 'Contact enrichment: api and worker on ECS Fargate with S3, SQS and DynamoDB',
  });
  return { app, stack, settings };
}
