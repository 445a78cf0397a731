import { z } from "zod";
import { emailSchema, ROOT_TARGET, roleNameSchema } from "../rules";

/** `organizationalUnits` and `accounts`: the OUs and member accounts this stack declares. */

// Organizations' own limits: OU names 1-128 characters, account names 1-50.
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateOrganizationalUnit.html
// https://docs.aws.amazon.com/organizations/latest/APIReference/API_CreateAccount.html
const declaredUnitSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(128)
    .describe("The OU's name; unique among the OUs this stack declares."),
  parent: z
    .string()
    .min(1)
    .default(ROOT_TARGET)
    .describe(
      "`Root`, the id of an existing OU (ou-...), or the name of another OU declared here.",
    ),
});

const tagsSchema = z
  .record(
    z
      .string()
      .regex(
        /^[\w .:/=+\-@]{1,128}$/,
        "tag keys: 1-128 letters, digits, spaces and _ . : / = + - @",
      ),
    z.string().max(256),
  )
  .default({});

const declaredAccountSchema = z.strictObject({
  name: z
    .string()
    .min(1)
    .max(50)
    .regex(/^[\w\- .]+$/, "account names: letters, digits, spaces and _ - .")
    .describe(
      "The account's name; unique among the accounts this stack declares (also its resource name).",
    ),
  email: emailSchema.describe("The root user's e-mail address; unique across the organization."),
  ou: z
    .string()
    .min(1)
    .describe(
      "Where the account goes: `Root`, an existing OU id (ou-...), or the name of an OU declared here.",
    ),
  tags: tagsSchema.describe("Tags on the account."),
  roleName: roleNameSchema
    .optional()
    .describe(
      "The role Organizations creates in the new account for the management account (default OrganizationAccountAccessRole). Set at creation only.",
    ),
  closeOnDeletion: z
    .boolean()
    .default(false)
    .describe(
      "Close the account when it is removed from this stack. Default false: removing the entry only forgets the account (retainOnDelete); it stays in the organization.",
    ),
});

export const organizationalUnitsSchema = z
  .array(declaredUnitSchema)
  .default([])
  .describe(
    "OUs this stack creates (name, parent). Existing OUs need no entry: refer to them by id.",
  );

export const accountsSchema = z
  .array(declaredAccountSchema)
  .default([])
  .describe(
    "Member accounts this stack creates or adopts (name, email, OU, tags, optional role name): one entry per account.",
  );
