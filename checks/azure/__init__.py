"""The Azure checks and what they share: one model of the subscription (`model`), filled from
Azure Resource Manager live or from export files (`exports`, `sources`), the names the installer
will create (`names`), and the evidence a colleague with Azure access can collect (`evidence`)."""
