// Package catxlsx is the Excel side of the power & responsibility list
// (issue #4 item 8): a documented workbook template (docs/catalog-excel.md)
// with one row per item on sheet 事项 and one sheet per list element
// (受理条件, 材料, 收费, 设定依据, 流程, 风险点, 监察点, 责任事项, 追责情形),
// each child row keyed by the item's 基本编码; a streamed Export; a strict
// Parse that reports every bad cell as "sheet!cell" in both languages and
// returns nothing when anything is bad; Diff against the current list; and
// Proposal, the changes of a draft adjustment — an import never publishes.
//
// The cell codecs, Export, Parse, Diff and Proposal are pure. Service binds
// them to the catalogue store (catdb); Jobs runs parses in the background
// for the progress indicator of the upload page.
//
// Decisions worth knowing:
//   - Headers are matched by name (row 1, Chinese) and checked against the
//     English key under them (row 2, the JSON path of catalog.ItemVersion),
//     so columns may be reordered but not renamed, dropped or added.
//   - Lifecycle elements (版本号, 失效日期, 发布时间, 内容摘要) are exported and
//     read back exactly but are the system's: Diff ignores them. 状态 is
//     read as the standing the importer wants (listed, suspended, cancelled).
//   - Validate's rules run only on items whose cells all parsed: an item
//     missing a bad row would shift every field path after it and misplace
//     the errors.
//   - Money is in fen (分), as in the model, so no float touches it.
package catxlsx
