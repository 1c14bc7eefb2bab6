//! The F&O part of a synthetic tenant (`generate --fo`,
//! finance-operations.md): a vendor portal beside the customer portal.
//!
//! Vendors, their purchase orders, order lines and invoices are F&O virtual
//! tables (`mserp_` names, F1), with a vendor-user link table. One contact in
//! a hundred works for a vendor (two per vendor) and holds the web role
//! `Vendor contacts`, whose permissions show each vendor its own vendor row,
//! orders, lines and invoices (Contact scope, then Parent chains). Nine in
//! ten of those contacts are mapped to an F&O user of their own (F2) who
//! holds `Vendor portal user` (read on vendors, orders and lines, F3); three
//! in ten of the mapped users also hold `Vendor invoice viewer` (read on
//! invoices). One XDS policy ties each user to its vendor through the link
//! table and constrains vendors, orders and lines, but not invoices: the
//! invoice viewers have a bypass (F8, every other vendor's invoices), the
//! others have none, and the unmapped vendor contacts reach no virtual table.
//!
//! Everything is a pure function of the seed and the contact count (rows
//! draw from a hash of the seed, the table and the row number), so each
//! piece is written without remembering another.

use serde_json::{json, Value};
use std::io::{self, Write};

const VENDOR: &str = "mserp_vendvendorv2entity";
const ORDER: &str = "mserp_purchpurchaseorderheaderv2entity";
const LINE: &str = "mserp_purchpurchaseorderlinev2entity";
const INVOICE: &str = "mserp_vendinvoicejourentity";
const LINK: &str = "mserp_vendvendorportaluserentity";

/// The vendor portal's role id (its members are the vendor contacts).
pub const VENDOR_ROLE: &str = "R-vendor";

const ITEMS: &[&str] = &["Pallets", "Steel coil", "Gloves", "Forklift service", "Tape", "Valves", "Freight", "Paint"];

/// One 64-bit draw from the seed, a stream name and an index.
fn mix(seed: u64, stream: u64, i: u64) -> u64 {
    let mut z = seed ^ stream.wrapping_mul(0xD6E8_FEB8_6659_FD93) ^ i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number in `0..n` drawn from `(seed, stream, i)` (0 when `n` is 0).
fn below(seed: u64, stream: u64, i: u64, n: u64) -> u64 {
    ((u128::from(mix(seed, stream, i)) * u128::from(n)) >> 64) as u64
}

/// The sizes and the draws of the F&O part of one tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoShape {
    seed: u64,
    contacts: u64,
    /// Vendors: one per 200 contacts, at least 10.
    pub vendors: u64,
    /// Vendor contacts: two per vendor (at most every contact).
    pub vendor_contacts: u64,
    /// Purchase orders: 20 per vendor.
    pub orders: u64,
    /// Order lines: 3 per order.
    pub lines: u64,
    /// Invoices: 1 per vendor.
    pub invoices: u64,
    stride: u64,
    offset: u64,
    /// The mapped vendor contacts `(contact number, what it is)`, ascending:
    /// one link row and one F&O user each.
    mapped: Vec<(u64, VendorContact)>,
}

/// What a vendor contact is (F2): its vendor, and its F&O user if mapped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VendorContact {
    /// The `k`-th vendor contact.
    pub k: u64,
    /// Its vendor.
    pub vendor: u64,
    /// Mapped to an F&O user (nine in ten).
    pub mapped: bool,
    /// Its user also reads invoices (three in ten of the mapped).
    pub invoices: bool,
}

impl FoShape {
    /// The F&O part for `contacts` contacts and a seed.
    pub fn new(contacts: u64, seed: u64) -> FoShape {
        let vendors = (contacts / 200).max(10);
        let vendor_contacts = (2 * vendors).min(contacts);
        let stride = contacts.checked_div(vendor_contacts).unwrap_or(1);
        let mut shape = FoShape {
            seed,
            contacts,
            vendors,
            vendor_contacts,
            orders: 20 * vendors,
            lines: 60 * vendors,
            invoices: vendors,
            stride,
            offset: below(seed, 1, 0, stride),
            mapped: Vec::new(),
        };
        shape.mapped = shape.vendor_contacts().filter(|(_, c)| c.mapped).collect();
        shape
    }

    /// The F&O tables and their row counts, in the order written.
    pub fn table_sizes(&self) -> Vec<(&'static str, u64)> {
        let links = self.mapped.len() as u64;
        vec![(VENDOR, self.vendors), (ORDER, self.orders), (LINE, self.lines), (INVOICE, self.invoices), (LINK, links)]
    }

    /// The `k`-th vendor contact.
    fn contact(&self, k: u64) -> VendorContact {
        let mapped = below(self.seed, 2, k, 10) != 0;
        VendorContact { k, vendor: k % self.vendors, mapped, invoices: mapped && below(self.seed, 3, k, 10) < 3 }
    }

    /// Contact `C{j}`'s part in the vendor portal, if it works for a vendor.
    pub fn vendor_contact(&self, j: u64) -> Option<VendorContact> {
        let d = j.checked_sub(self.offset)?;
        let k = d / self.stride;
        (d % self.stride == 0 && k < self.vendor_contacts && j < self.contacts).then(|| self.contact(k))
    }

    /// The vendor contacts as `(contact number, what it is)`, ascending.
    fn vendor_contacts(&self) -> impl Iterator<Item = (u64, VendorContact)> + '_ {
        (0..self.vendor_contacts).map(|k| (self.offset + k * self.stride, self.contact(k))).filter(|&(j, _)| j < self.contacts)
    }

    /// The F&O user id of vendor contact `k`.
    fn user(k: u64) -> String {
        format!("vendoruser{k}")
    }

    /// The relationships of the F&O tables.
    pub fn relationships() -> Vec<Value> {
        let rel = |name: &str, referencing: &str, lookup: &str, referenced: &str| {
            json!({"name": name, "referencing": referencing, "lookup": lookup, "referenced": referenced})
        };
        vec![
            rel("contact_mserp_vendor", "contact", "mserp_vendoraccount", VENDOR),
            rel("mserp_po_vendor", ORDER, "mserp_orderaccount", VENDOR),
            rel("mserp_poline_po", LINE, "mserp_purchaseorder", ORDER),
            rel("mserp_invoice_vendor", INVOICE, "mserp_invoiceaccount", VENDOR),
            rel("mserp_vendoruser_vendor", LINK, "mserp_vendoraccount", VENDOR),
        ]
    }

    /// The vendor portal's web role.
    pub fn role() -> Value {
        json!({"id": VENDOR_ROLE, "name": "Vendor contacts"})
    }

    /// The vendor portal's table permissions: own vendor (Contact scope),
    /// then its orders, their lines and its invoices (Parent scope).
    pub fn permissions() -> Vec<Value> {
        let child = |id: &str, name: &str, table: &str, parent: &str, rel: &str| {
            json!({"id": id, "name": name, "table": table, "scope": "parent", "parent": parent,
                   "parent_relationship": rel, "privileges": ["read"]})
        };
        vec![
            json!({"id": "TP-fo-vendor", "name": "My vendor account", "table": VENDOR, "scope": "contact",
                   "contact_relationship": "contact_mserp_vendor", "privileges": ["read"], "web_roles": [VENDOR_ROLE]}),
            child("TP-fo-orders", "My vendor's purchase orders", ORDER, "TP-fo-vendor", "mserp_po_vendor"),
            child("TP-fo-lines", "Lines of those orders", LINE, "TP-fo-orders", "mserp_poline_po"),
            child("TP-fo-invoices", "My vendor's invoices", INVOICE, "TP-fo-vendor", "mserp_invoice_vendor"),
        ]
    }

    /// Writes row `i` of F&O table `table`; false when `table` is not one.
    pub fn row<W: Write>(&self, w: &mut W, table: &str, i: u64) -> io::Result<bool> {
        let s = self.seed;
        let v = match table {
            VENDOR => json!({"id": format!("V{i}"), "mserp_name": format!("Supplier {i}")}),
            ORDER => json!({"id": format!("PO{i}"), "mserp_orderaccount": format!("V{}", below(s, 4, i, self.vendors)),
                            "mserp_total": format!("{}.00", 100 + below(s, 5, i, 90_000))}),
            LINE => json!({"id": format!("POL{i}"), "mserp_purchaseorder": format!("PO{}", below(s, 6, i, self.orders)),
                           "mserp_item": ITEMS[below(s, 7, i, ITEMS.len() as u64) as usize]}),
            INVOICE => json!({"id": format!("INV{i}"), "mserp_invoiceaccount": format!("V{}", below(s, 8, i, self.vendors)),
                              "mserp_amount": format!("{}.00", 50 + below(s, 9, i, 20_000))}),
            LINK => {
                // The `i`-th mapped vendor contact.
                let Some((_, c)) = self.mapped.get(i as usize) else { return Ok(true) };
                json!({"id": format!("VU{i}"), "mserp_user": Self::user(c.k), "mserp_vendoraccount": format!("V{}", c.vendor)})
            }
            _ => return Ok(false),
        };
        serde_json::to_writer(w, &v)?;
        Ok(true)
    }

    /// Writes the vendor contacts' memberships of the vendor role, each
    /// preceded by `,\n` unless it is the first of the list (`count` pairs
    /// written so far); returns the new count.
    pub fn members<W: Write>(&self, w: &mut W, mut count: u64) -> io::Result<u64> {
        for (j, _) in self.vendor_contacts() {
            w.write_all(if count == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *w, &[format!("C{j}").as_str(), VENDOR_ROLE])?;
            count += 1;
        }
        Ok(count)
    }

    /// Writes the `finance_operations` section's value.
    pub fn write_section<W: Write>(&self, w: &mut W) -> io::Result<()> {
        let mapped = &self.mapped;
        w.write_all(b"{\"user_mappings\":[")?;
        for (i, (j, c)) in mapped.iter().enumerate() {
            w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            serde_json::to_writer(&mut *w, &[format!("C{j}"), Self::user(c.k)])?;
        }
        w.write_all(b"],\n\"users\":[")?;
        for (i, (_, c)) in mapped.iter().enumerate() {
            w.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            let roles: &[&str] = if c.invoices { &["VendorPortalUser", "VendorInvoiceViewer"] } else { &["VendorPortalUser"] };
            serde_json::to_writer(&mut *w, &json!({"id": Self::user(c.k), "roles": roles}))?;
        }
        w.write_all(b"],\n\"roles\":")?;
        let read = |t: &str| json!({"table": t, "privileges": ["read"]});
        serde_json::to_writer(
            &mut *w,
            &json!([
                {"id": "VendorPortalUser", "name": "Vendor portal user", "entity_privileges": [read(VENDOR), read(ORDER), read(LINE)]},
                {"id": "VendorInvoiceViewer", "name": "Vendor invoice viewer", "entity_privileges": [read(INVOICE)]}
            ]),
        )?;
        w.write_all(b",\n\"xds_policies\":")?;
        serde_json::to_writer(
            &mut *w,
            &json!([{
                "id": "VendorSeesOwnData",
                "primary_table": VENDOR,
                "user_link": {"table": LINK, "user_column": "mserp_user", "relationship": "mserp_vendoruser_vendor"},
                "constrain_primary": true,
                "constrained_tables": [
                    {"table": ORDER, "path": ["mserp_po_vendor"]},
                    {"table": LINE, "path": ["mserp_poline_po", "mserp_po_vendor"]}
                ],
                "roles": ["VendorPortalUser", "VendorInvoiceViewer"],
                "operations": ["all"],
                "enabled": true
            }]),
        )?;
        w.write_all(b"}")
    }
}
