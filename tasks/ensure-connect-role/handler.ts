import { lambdaHandler } from '../lib/handler';
import { ensureConnectRole } from './ensure-connect-role';

/** Lambda entry point of the EnsureConnectRole task (thin: the logic is in ensure-connect-role.ts). */
export const handler = lambdaHandler('EnsureConnectRole', ensureConnectRole);
