import { lambdaHandler } from '../lib/handler';
import { importToConnect } from './import-to-connect';

/** Lambda entry point of the ImportToConnect task (thin: the logic is in import-to-connect.ts). */
export const handler = lambdaHandler('ImportToConnect', importToConnect);
