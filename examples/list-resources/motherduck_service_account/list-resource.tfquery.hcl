# In a .tfquery.hcl file, for `terraform query` (Terraform 1.14+): every
# service account of the organization that is not deprovisioned, by username.
#   terraform query
#   terraform query -generate-config-out=accounts.tf  # import blocks for them
list "motherduck_service_account" "all" {
  provider         = motherduck
  include_resource = true
}
