/**
 * Presenter conventions: API objects are camelCase, ids are strings, timestamps ISO-8601 UTC; rows
 * never leave the HTTP layer unconverted. Each presenter has a matching zod schema for OpenAPI.
 */
import { z } from '@hono/zod-openapi';
import { workspaceRoles, type WorkspaceRow } from '../db/schema';
import type { PublicUser } from '../use-cases/users.use-case';
import type { WorkspaceWithRole } from '../use-cases/workspaces.use-case';

/** Workspace roles as an OpenAPI enum. */
export const RoleSchema = z.enum(workspaceRoles).openapi('WorkspaceRole');

/** OpenAPI schema of a user (no secrets). */
export const UserSchema = z
  .object({ id: z.string(), email: z.string(), name: z.string(), createdAt: z.string() })
  .openapi('User');

/** A user without secrets. */
export function presentUser(u: PublicUser): z.infer<typeof UserSchema> {
  return { id: u.id, email: u.email, name: u.name, createdAt: u.createdAt };
}

/** OpenAPI schema of a workspace with the caller's effective role. */
export const WorkspaceSchema = z
  .object({
    id: z.string(),
    organizationId: z.string(),
    name: z.string(),
    timezone: z.string().openapi({ example: 'Europe/Berlin' }),
    role: RoleSchema.openapi({ description: "The caller's effective role here" }),
    createdAt: z.string(),
  })
  .openapi('Workspace');

/** A workspace with the caller's role. */
export function presentWorkspace(w: WorkspaceRow, role: WorkspaceWithRole['role']): z.infer<typeof WorkspaceSchema> {
  return { id: w.id, organizationId: w.organization_id, name: w.name, timezone: w.timezone, role, createdAt: w.created_at };
}

/** A KPI's goal with its progress (dashboard KPIs, campaign KPIs); null when no goal applies. */
export const GoalProgressSchema = z
  .object({
    goalId: z.string(),
    scope: z.enum(['workspace', 'account', 'campaign']),
    accountId: z.string().nullable(),
    campaignId: z.string().nullable(),
    definitionId: z.string(),
    target: z.number(),
    direction: z.enum(['at_least', 'at_most']),
    from: z.string(),
    to: z.string(),
    periodMatches: z.boolean().openapi({ description: "True when the goal's period is exactly the requested period" }),
    met: z.boolean().nullable(),
    progressPercent: z.number().nullable().openapi({ description: 'at_least: value / target × 100; at_most: target / value × 100; 100 or more = met' }),
    gap: z.number().nullable().openapi({ description: 'value − target' }),
  })
  .nullable()
  .openapi('KpiGoalProgress');
