/**
 * Organisations (agencies) and their members. Organisation owners and admins act as owner/admin in
 * every workspace of the organisation.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Database, OrganizationRole } from '../db/schema';

type Db = Kysely<Database> | Transaction<Database>;

/** Creates an organisation. */
export async function insertOrganization(db: Db, row: { id: string; name: string; created_at: string }): Promise<void> {
  await db.insertInto('organizations').values(row).execute();
}

/** Adds a user to an organisation with a role. */
export async function insertOrganizationMember(
  db: Db,
  row: { organization_id: string; user_id: string; role: OrganizationRole; created_at: string },
): Promise<void> {
  await db.insertInto('organization_members').values(row).execute();
}

/** Organisations where the user is owner or admin (oldest first). */
export async function listManagedOrganizations(db: Db, userId: string): Promise<Array<{ id: string; name: string; role: OrganizationRole }>> {
  return db
    .selectFrom('organization_members as om')
    .innerJoin('organizations as o', 'o.id', 'om.organization_id')
    .select(['o.id', 'o.name', 'om.role'])
    .where('om.user_id', '=', userId)
    .where('om.role', 'in', ['owner', 'admin'])
    .orderBy('o.id')
    .execute();
}

/** The user's role in an organisation, if any. */
export async function findOrganizationRole(db: Db, organizationId: string, userId: string): Promise<OrganizationRole | undefined> {
  const row = await db
    .selectFrom('organization_members')
    .select('role')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row?.role;
}
