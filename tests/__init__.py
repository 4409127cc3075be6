"""matgrad's tests: unit tests of the package (unit/) and tests of the site (site/)."""
