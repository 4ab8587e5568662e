import { lambdaHandler } from '../lib/handler';
import { ensureAccess } from './ensure-access';

/** Lambda entry point of the EnsureAccess task (thin: the logic is in ensure-access.ts). */
export const handler = lambdaHandler('EnsureAccess', ensureAccess);
