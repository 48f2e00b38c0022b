import type { ComponentChildren } from 'preact';
import './data-table.css';

/** A column whose header is more than its text, or whose width is fixed. */
export interface DataColumn {
  /** Unique among the columns. */
  key: string;
  /** The header's content: its text, or a control holding it (a sort button). */
  label: ComponentChildren;
  /** Figures, aligned right: the header gets `num` as the column's cells do. */
  numeric?: boolean;
  /** Set on the column the rows are sorted by. */
  sort?: 'ascending' | 'descending';
  /** In rem, for a table laid out with fixed widths: give it to every column or to none. */
  width?: number;
}

export interface DataTableProps<Row> {
  /** The table's classes, which its look and tests select it by (`connections`, `log-table`). */
  class: string;
  /** The id of the heading that names the table. */
  labelledBy?: string;
  /** The id of the line that says how many rows there are, or why there are none. */
  describedBy?: string;
  /** A header text, or a column that needs more. */
  columns: readonly (string | DataColumn)[];
  rows: readonly Row[];
  /** One row's `<tr>` (or its `<tbody>`, with `rowBodies`), keyed. */
  renderRow: (row: Row) => ComponentChildren;
  /** Each row brings a `<tbody>` of its own: a row and the details under it move together on a re-sort. */
  rowBodies?: boolean;
  /** Said in one cell across the table while there are no rows. */
  empty?: ComponentChildren;
  /** A class added to the scroller's (`table-scroll`). */
  scrollClass?: string;
  /** The scroller is a group named by the table's heading too, for the keyboard users who focus it. */
  scrollNamed?: boolean;
}

/**
 * A table of the dashboard: a header row of column headers, one row per item or a line saying why
 * there is none, inside a scroller of its own so that a wide table never widens its panel. The
 * scroller takes the focus, so that keyboard users can scroll it too.
 */
export function DataTable<Row>({ class: className, labelledBy, describedBy, columns: given, rows, renderRow, rowBodies, empty, scrollClass, scrollNamed }: DataTableProps<Row>) {
  const columns: DataColumn[] = given.map((column) => (typeof column === 'string' ? { key: column, label: column } : column));
  // Widths given, the columns keep them (with the look's `table-layout: fixed`): a changed text never
  // makes the browser measure every cell again (ConnectionsTable.tsx).
  const fixed = columns.every((column) => column.width !== undefined);
  const emptyRow = empty !== undefined && rows.length === 0 && (
    <tr>
      <td colSpan={columns.length} class="empty">
        {empty}
      </td>
    </tr>
  );
  const bodyRows = rows.map((item) => renderRow(item));
  // Rows with bodies of their own sit straight in the table; the line saying there are none needs one.
  const body = rowBodies && !emptyRow ? bodyRows : <tbody>{emptyRow || bodyRows}</tbody>;
  return (
    <div class={scrollClass ? `table-scroll ${scrollClass}` : 'table-scroll'} tabIndex={0} role={scrollNamed ? 'group' : undefined} aria-labelledby={scrollNamed ? labelledBy : undefined}>
      <table
        class={className}
        aria-labelledby={labelledBy}
        aria-describedby={describedBy}
        style={fixed ? { minWidth: `${columns.reduce((sum, column) => sum + column.width!, 0)}rem` } : undefined}
      >
        {fixed && (
          <colgroup>
            {columns.map((column) => (
              <col key={column.key} style={{ width: `${column.width}rem` }} />
            ))}
          </colgroup>
        )}
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.key} scope="col" aria-sort={column.sort} class={column.numeric ? 'num' : undefined}>
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        {body}
      </table>
    </div>
  );
}
