import { Annotations } from 'aws-cdk-lib';
import { createContactsApp } from './contacts-app.ts';
import { DEFAULT_SETTINGS } from './settings.ts';

// Entry point of `cdk synth` / `cdk deploy` (see cdk.json); settings come from `-c key=value`.
const { app, stack, settings } = createContactsApp();

for (const key of ['apiImage', 'workerImage'] as const) {
  if (settings[key] === DEFAULT_SETTINGS[key]) {
    Annotations.of(stack).addWarningV2(
      `contacts:${key}`,
      `${key} is the placeholder ${settings[key]}; pass -c ${key}=<registry>/<repository>:<tag> to deploy`,
    );
  }
}

app.synth();
