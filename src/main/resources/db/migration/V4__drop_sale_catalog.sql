-- Sales are listed from the projection-written `sales` table now; the catalogue of ids is redundant.
DROP TABLE IF EXISTS sale_catalog;
