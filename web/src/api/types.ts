/**
 * Response types taken from the typed client (so they follow the server's zod schemas).
 */
import type { InferResponseType } from 'hono/client';
import type { Api } from './client';

type V1 = Api['client']['api']['v1'];
type WorkspaceApi = V1['workspaces'][':workspaceId'];

/** GET /api/v1/me */
export type Me = InferResponseType<V1['me']['$get'], 200>;
/** One workspace with the caller's role. */
export type Workspace = InferResponseType<V1['workspaces']['$get'], 200>['items'][number];
/** One network with its declared credential fields. */
export type Network = InferResponseType<V1['networks']['$get'], 200>['items'][number];
/** A credential field a connector declares. */
export type CredentialFieldView = Network['credentialFields'][number];
/** One connected account. */
export type Account = InferResponseType<WorkspaceApi['accounts']['$get'], 200>['items'][number];
