// One row of DESCRIBE INTEGRATION, whatever form it was printed in. Snowflake names the columns
// property, property_type, property_value and property_default.

/** A property and its value as printed, not yet trimmed of quotes. */
export interface DescribeRow {
  readonly property: string;
  readonly value: string;
}

export const PROPERTY_COLUMN = 'property';
export const VALUE_COLUMN = 'property_value';

/** The column names in the case Snowflake prints them, whatever case the export used. */
export function normalColumnName(name: string): string {
  return name.trim().toLowerCase();
}
