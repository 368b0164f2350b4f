"""組織管理: the program office keeps its own organisations in the UI (issue 13 §3) — municipalities,
providers (member companies, registered experts with themes, the commissioned adviser) and the other
applicant bodies (教育委員会・商工会) its rules accept. Operator only; other roles get 404."""
