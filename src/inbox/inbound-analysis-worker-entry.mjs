// Entry of an analysis worker thread. Herald runs as TypeScript through tsx, and a worker thread
// starts without the loader its parent registered: register it here, then load the TypeScript body.
import { register } from 'tsx/esm/api';

register();
await import('./inbound-analysis.worker.ts');
