terraform {
  required_providers {
    motherduck = {
      source = "duckops/motherduck"
    }
  }
}

# The token is read from MOTHERDUCK_TOKEN (or motherduck_token) when not set
# here. It must be a read/write token of an organization Admin.
provider "motherduck" {
  # token           = var.motherduck_admin_token
  # api_url         = "https://api.motherduck.com"
  request_timeout = "30s"
  max_retries     = 4
}
