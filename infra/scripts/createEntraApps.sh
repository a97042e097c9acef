#!/usr/bin/env sh
# Sovereign clouds: the Microsoft Graph Bicep extension deploys in the public cloud only, so this creates what
# infra/app/entraApps.bicep declares, with the Azure CLI signed in to the cloud (`az cloud set --name ...`,
# `az login`) as an Application Administrator of the app's tenant. Run it once per environment (az ad app create
# is not idempotent), then: azd env set CREATE_ENTRA_APPS false, and the three values it prints.
#
#   infra/scripts/createEntraApps.sh <name prefix> <UAMI principal ID (APP_PRINCIPAL_ID output)>
set -eu
prefix=$1
uami=$2
tenant=$(az account show --query tenantId -o tsv)
authority=$(az cloud show --query endpoints.activeDirectory -o tsv)
graph=$(az cloud show --query endpoints.microsoftGraphResourceId -o tsv)
case "$(az cloud show --query name -o tsv)" in
  AzureUSGovernment) audience=api://AzureADTokenExchangeUSGov ;;
  AzureChinaCloud) audience=api://AzureADTokenExchangeChina ;;
  *) audience=api://AzureADTokenExchange ;;
esac
uuid() { uuidgen 2>/dev/null || cat /proc/sys/kernel/random/uuid; }
webhook_role=$(uuid)
roles=$(mktemp)
trap 'rm -f "$roles"' EXIT
cat > "$roles" <<JSON
[
  {"id": "$(uuid)", "value": "Connections.Read", "displayName": "Read connections", "description": "List and read managed data connections and their journal.", "allowedMemberTypes": ["User", "Application"], "isEnabled": true},
  {"id": "$(uuid)", "value": "Connections.Write", "displayName": "Write connections", "description": "Create, update and delete managed data connections.", "allowedMemberTypes": ["User", "Application"], "isEnabled": true},
  {"id": "$(uuid)", "value": "Audit.Run", "displayName": "Run audits", "description": "Start an audit and read its reports.", "allowedMemberTypes": ["User", "Application"], "isEnabled": true},
  {"id": "$webhook_role", "value": "AzureEventGridSecureWebhookSubscriber", "displayName": "AzureEventGridSecureWebhookSubscriber", "description": "Event Grid delivering Resource events to /api/events.", "allowedMemberTypes": ["User", "Application"], "isEnabled": true}
]
JSON

# The API: app roles for its callers; tokens only for principals granted one.
identifier_uri="api://$tenant/$prefix"
api_app=$(az ad app create --display-name "ADX Connection Lifecycle API ($prefix)" --sign-in-audience AzureADMyOrg \
  --identifier-uris "$identifier_uri" --app-roles @"$roles" --query appId -o tsv)
az ad app update --id "$api_app" --set api.requestedAccessTokenVersion=2
api_sp=$(az ad sp create --id "$api_app" --query id -o tsv)
az ad sp update --id "$api_app" --set appRoleAssignmentRequired=true

# The multi-tenant app, trusting the UAMI through a federated credential: no secret exists.
sources_app=$(az ad app create --display-name "ADX Connection Lifecycle sources ($prefix)" --sign-in-audience AzureADMultipleOrgs --query appId -o tsv)
az ad sp create --id "$sources_app" > /dev/null
az ad app federated-credential create --id "$sources_app" --parameters \
  "{\"name\": \"app-managed-identity\", \"issuer\": \"$authority/$tenant/v2.0\", \"subject\": \"$uami\", \"audiences\": [\"$audience\"]}"

# Event Grid's first-party app (Microsoft.EventGrid) may deliver to the Entra-protected webhook.
event_grid_app=4962773b-9cdb-44cf-a8bf-237846a00ab7
az ad sp show --id "$event_grid_app" > /dev/null 2>&1 || az ad sp create --id "$event_grid_app" > /dev/null
event_grid_sp=$(az ad sp show --id "$event_grid_app" --query id -o tsv)
az rest --method POST --uri "${graph%/}/v1.0/servicePrincipals/$api_sp/appRoleAssignedTo" \
  --body "{\"principalId\": \"$event_grid_sp\", \"resourceId\": \"$api_sp\", \"appRoleId\": \"$webhook_role\"}" > /dev/null

echo "API_APP_ID=$api_app"
echo "API_IDENTIFIER_URI=$identifier_uri"
echo "CROSS_TENANT_APP_CLIENT_ID=$sources_app"
