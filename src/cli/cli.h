/* cli — the verbs of the multi-call binary `recguard <verb>`.
 *
 * Each verb is a main()-like function owned by the area that implements it; main.c only
 * dispatches. Exit codes (docs/PROTOCOL.md): 0 ok, 1 failure, 2 usage; recover adds 3 (lossy).
 */
#ifndef CLI_H
#define CLI_H

#define CLI_EXIT_OK 0      /* success */
#define CLI_EXIT_FAIL 1    /* failure, message printed on stderr */
#define CLI_EXIT_USAGE 2   /* bad command line */
#define CLI_EXIT_LOSSY 3   /* recover: file rebuilt but something was lost */

int cli_daemon_main(int argc, char **argv);  /* cli_ctl.c: the guardian */
int cli_start_main(int argc, char **argv);   /* cli_ctl.c: control-socket clients */
int cli_stop_main(int argc, char **argv);
int cli_split_main(int argc, char **argv);
int cli_snapshot_main(int argc, char **argv);
int cli_pause_main(int argc, char **argv);
int cli_resume_main(int argc, char **argv);
int cli_status_main(int argc, char **argv);
int cli_watch_main(int argc, char **argv);
int cli_record_main(int argc, char **argv);  /* cli_record.c: built-in recorder */
int cli_demo_main(int argc, char **argv);    /* cli_demo.c: demo ROS 2 traffic */
int cli_info_main(int argc, char **argv);    /* cli_bag.c: bag tools */
int cli_doctor_main(int argc, char **argv);
int cli_recover_main(int argc, char **argv);
int cli_web_main(int argc, char **argv);     /* cli_web.c: the dashboard server */
int cli_hz_main(int argc, char **argv);      /* cli_topics.c: rate monitor */
int cli_bw_main(int argc, char **argv);
int cli_topics_main(int argc, char **argv);
int cli_monitor_main(int argc, char **argv);

/* cli_ctl.c: the daemon's status object (a jansson json_t *, new reference) from the control
 * socket at `path`, or NULL when no daemon answers; prints nothing. */
struct json_t;
struct json_t *cli_ctl_status_quiet(const char *path, int timeout_ms);

#endif
