# In a .tfquery.hcl file, for `terraform query` (Terraform 1.14+): every
# valid token of svc_ci. Secrets are never listed.
#   terraform query
#   terraform query -generate-config-out=tokens.tf  # import blocks for them
list "motherduck_user_token" "ci" {
  provider = motherduck

  config {
    username = "svc_ci"
  }
}

# Only the tokens with this exact name, with their attributes.
list "motherduck_user_token" "loader" {
  provider         = motherduck
  include_resource = true

  config {
    username = "svc_ci"
    name     = "nightly-loader"
  }
}
