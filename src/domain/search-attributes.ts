// Custom search attributes on every Berth workflow, so the Temporal Web UI can filter by them.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const APP_NAME = defineSearchAttributeKey('BerthApp', SearchAttributeType.KEYWORD);
export const ENVIRONMENT_NAME = defineSearchAttributeKey('BerthEnvironment', SearchAttributeType.KEYWORD);
export const DEPLOYMENT_ID = defineSearchAttributeKey('BerthDeployment', SearchAttributeType.KEYWORD);

/** Name → type, as the server registers them (dev server flag, operator API). */
export const SEARCH_ATTRIBUTES = {
  [APP_NAME.name]: 'Keyword',
  [ENVIRONMENT_NAME.name]: 'Keyword',
  [DEPLOYMENT_ID.name]: 'Keyword',
} as const;
